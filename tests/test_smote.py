"""Tests for dlnotes.smote, cross-checked against imbalanced-learn."""
import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from sklearn.neighbors import NearestNeighbors

from dlnotes.smote import nearest_neighbours, on_segment, smote

RNG = np.random.default_rng(0)
X_MIN = RNG.normal(size=(30, 3))
X_MAJ = RNG.normal(2.0, 1.0, size=(150, 3))


def test_neighbours_match_scikit_learn():
    ours = nearest_neighbours(X_MIN, 5)
    ref = NearestNeighbors(n_neighbors=6).fit(X_MIN).kneighbors(X_MIN, return_distance=False)[:, 1:]
    assert np.array_equal(np.sort(ours, axis=1), np.sort(ref, axis=1))


def test_every_point_is_on_its_recorded_segment():
    X_new, pairs = smote(X_MIN, 500, k=5, seed=1)
    nn = nearest_neighbours(X_MIN, 5)
    assert X_new.shape == (500, 3) and pairs.shape == (500, 2)
    assert on_segment(X_new, X_MIN[pairs[:, 0]], X_MIN[pairs[:, 1]]).all()
    assert all(b in nn[a] for a, b in pairs)          # b is one of a's k nearest minority neighbours


def _imblearn_points(n_new, seed):
    X = np.vstack([X_MAJ, X_MIN])
    y = np.r_[np.zeros(len(X_MAJ), int), np.ones(len(X_MIN), int)]
    # ask for n_new minority points: the minority count becomes len(X_MIN) + n_new
    sm = SMOTE(sampling_strategy={1: len(X_MIN) + n_new}, k_neighbors=5, random_state=seed)
    X_res, _ = sm.fit_resample(X, y)
    return X_res[len(X):]


def test_imblearn_points_lie_on_our_neighbour_segments():
    new = _imblearn_points(300, seed=0)
    nn = nearest_neighbours(X_MIN, 5)
    a = np.repeat(np.arange(len(X_MIN)), 5)
    b = nn.ravel()
    for p in new:
        assert on_segment(np.repeat(p[None], len(a), 0), X_MIN[a], X_MIN[b]).any()


def test_statistics_match_imblearn():
    # Both draw a uniformly, b uniformly among its k neighbours, gap ~ U[0, 1):
    # the synthetic points have the same distribution. Compare means and variances
    # of n = 20 000 points per library: the difference of two means has sd
    # sqrt(2 var / n); allow 6 sd (false-failure probability < 1e-8 per coordinate).
    n = 20_000
    ours, _ = smote(X_MIN, n, k=5, seed=2)
    ref = _imblearn_points(n, seed=3)
    var = ours.var(axis=0)
    assert np.all(np.abs(ours.mean(0) - ref.mean(0)) < 6 * np.sqrt(2 * var / n))
    # variances: sd of a sample variance is about sqrt(2/n) var for near-normal data; be generous (x2)
    assert np.all(np.abs(ours.var(0) - ref.var(0)) < 6 * 2 * np.sqrt(2 / n) * var)
    # gap distribution: position along the segment is U[0, 1) in both
    X_new, pairs = smote(X_MIN, n, k=5, seed=4)
    d = X_MIN[pairs[:, 1]] - X_MIN[pairs[:, 0]]
    t = ((X_new - X_MIN[pairs[:, 0]]) * d).sum(1) / (d * d).sum(1)
    assert abs(t.mean() - 0.5) < 6 * np.sqrt(1 / 12 / n)


def test_seeded_and_zero_new_points():
    a, pa = smote(X_MIN, 10, seed=5)
    b, pb = smote(X_MIN, 10, seed=5)
    assert np.array_equal(a, b) and np.array_equal(pa, pb)
    empty, pairs = smote(X_MIN, 0, seed=5)
    assert empty.shape == (0, 3) and pairs.shape == (0, 2)


def test_on_segment_rejects_points_off_the_segment():
    s, e = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]])
    assert on_segment(np.array([[0.5, 0.0]]), s, e).all()
    assert not on_segment(np.array([[0.5, 0.1]]), s, e).any()
    assert not on_segment(np.array([[1.5, 0.0]]), s, e).any()


@pytest.mark.parametrize("call, exc, words", [
    (lambda: smote(X_MIN, 5, k=30), ValueError, "k must be in"),
    (lambda: smote(X_MIN, 5, k=0), ValueError, "k must be in"),
    (lambda: smote(X_MIN[:1], 5, k=1), ValueError, "at least 2 samples"),
    (lambda: smote(X_MIN, -1), ValueError, "n_new must be in"),
    (lambda: smote(X_MIN, 2.5), TypeError, "n_new must be an integer"),
    (lambda: smote(X_MIN[0], 5), ValueError, "X_minority must have 2 dimension"),
    (lambda: smote([[1.0, np.nan], [0.0, 1.0]], 5, k=1), ValueError, "X_minority contains NaN"),
    (lambda: smote("abc", 5), TypeError, "X_minority must be a numeric array"),
    (lambda: smote(X_MIN, 5, seed=-1), TypeError, "seed must be"),
    (lambda: on_segment(np.zeros((2, 2)), np.zeros((3, 2)), np.zeros((2, 2))), ValueError, "same shape"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
