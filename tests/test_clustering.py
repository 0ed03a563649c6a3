"""Tests for dlnotes.clustering: k-means, k-means++ (vs scikit-learn) and ISODATA."""
import functools

import numpy as np
import pytest
from scipy.stats import ks_2samp
from sklearn.cluster import KMeans
from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from dlnotes.clustering import (IsodataParams, greedy_trials, inertia, isodata, isodata_merge, isodata_split,
                                kmeans, kmeans_plusplus, lloyd, quantize_colors)
from tests.claims import Claim, claims_test

BLOBS, BLOB_LABELS = make_blobs(400, centers=[[0, 0], [10, 0], [0, 10], [10, 10], [5, 5]],
                                cluster_std=0.6, random_state=1)


def test_kmeanspp_returns_distinct_samples_and_first_is_uniform():
    centers, idx = kmeans_plusplus(BLOBS, 5, seed=0)
    assert len(set(idx.tolist())) == 5
    assert np.array_equal(centers, BLOBS[idx])
    # first index uniform over 20 samples: chi-square-free check that every index occurs
    X = np.arange(20.0)[:, None]
    firsts = {int(kmeans_plusplus(X, 1, seed=s)[1][0]) for s in range(400)}
    assert firsts == set(range(20))       # P(some index never drawn) < 20 (19/20)^400 ≈ 2e-8


def test_d2_sampling_probabilities():
    # points 0, 1, 10 on a line; first center at 0 (forced by a single candidate set):
    # D² = 0, 1, 100, so the second center is sample 2 with probability 100/101.
    X = np.array([[0.0], [1.0], [10.0]])
    picks = []
    for s in range(3000):
        _, idx = kmeans_plusplus(X, 2, seed=s)
        if idx[0] == 0:
            picks.append(idx[1] == 2)
    n = len(picks)
    p = 100 / 101
    assert abs(np.mean(picks) - p) < 6 * np.sqrt(p * (1 - p) / n) + 1 / n


def test_kmeanspp_inertia_distribution_matches_scikit_learn():
    # Same algorithm (greedy, 2 + ln k trials): the seeding inertia over 1000 seeds has the
    # same distribution. KS critical value at alpha = 1e-6 for n = m = 1000 is
    # sqrt(-ln(alpha/2)/2) * sqrt(2/n) = 0.12; the non-greedy variant differs by far more.
    X, _ = make_blobs(500, centers=5, random_state=1)
    n = 1000
    ours = np.array([inertia(X, kmeans_plusplus(X, 5, greedy_trials(5), seed=s)[0]) for s in range(n)])
    theirs = np.array([inertia(X, sk_kmeans_plusplus(X, 5, random_state=s)[0]) for s in range(n)])
    plain = np.array([inertia(X, kmeans_plusplus(X, 5, 1, seed=s)[0]) for s in range(n)])
    assert ks_2samp(ours, theirs).statistic < 0.12
    se = np.sqrt((ours.var() + theirs.var()) / n)
    assert abs(ours.mean() - theirs.mean()) < 6 * se
    assert ks_2samp(plain, theirs).statistic > 0.25          # the test can tell variants apart
    assert greedy_trials(5) == 3 and greedy_trials(9) == 4


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_matches_scikit_learn_on_separated_blobs(init):
    # best of 10 runs, like scikit-learn's n_init=10 (one random start can miss a blob)
    ours = min((kmeans(BLOBS, 5, init=init, n_local_trials=greedy_trials(5), seed=s) for s in range(10)),
               key=lambda r: r.inertia)
    sk = KMeans(5, init=init, n_init=10, random_state=0).fit(BLOBS)
    assert adjusted_rand_score(ours.labels, sk.labels_) == 1.0
    assert adjusted_rand_score(ours.labels, BLOB_LABELS) == 1.0
    assert ours.inertia == pytest.approx(sk.inertia_, rel=1e-9)


def test_lloyd_never_increases_inertia_and_is_a_fixed_point():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    start = X[:4]
    prev = inertia(X, start)
    centers = start
    for _ in range(6):
        centers, labels, _ = lloyd(X, centers, max_iter=1)
        now = inertia(X, centers)
        assert now <= prev + 1e-9
        prev = now
    final, labels, _ = lloyd(X, start, tol=0)
    again, labels2, _ = lloyd(X, final, max_iter=1)
    assert np.allclose(final, again) and np.array_equal(labels, labels2)
    for j in range(4):
        assert np.allclose(final[j], X[labels == j].mean(0))


def test_empty_cluster_is_relocated():
    X = np.array([[0.0, 0], [0, 1], [10, 0], [10, 1]])
    centers, labels, _ = lloyd(X, [[0.0, 0.5], [100.0, 100.0]])       # the second center wins nothing
    assert sorted(np.bincount(labels, minlength=2).tolist()) == [2, 2]


def test_duplicate_points_do_not_break_kmeanspp():
    X = np.zeros((10, 2))
    centers, idx = kmeans_plusplus(X, 3, seed=0)
    assert centers.shape == (3, 2) and np.all(centers == 0)


# ------------------------------------------------------------------ ISODATA, on data with known answers

def two_blobs_as_one(rng):
    return np.vstack([rng.normal([-3, 0], 0.4, (100, 2)), rng.normal([3, 0], 0.4, (100, 2))])


def test_isodata_splits_an_elongated_cluster():
    X = two_blobs_as_one(np.random.default_rng(0))
    p = IsodataParams(k_desired=2, min_size=5, max_std=1.0, merge_dist=1.0, n_iter=6)
    res = isodata(X, p, init_centers=[[0.5, 0.5]])
    assert len(res.history[0]["split"]) == 1
    assert len(res.centers) == 2
    assert np.allclose(sorted(res.centers[:, 0]), [-3, 3], atol=0.2)
    truth = np.repeat([0, 1], 100)
    assert adjusted_rand_score(res.labels, truth) == 1.0


def test_split_rule_moves_along_the_axis_of_largest_std():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(0, 3.0, 400), rng.normal(0, 0.2, 400)])   # elongated along x
    labels = np.zeros(400, int)
    center = X.mean(0, keepdims=True)
    p = IsodataParams(k_desired=2, min_size=5, max_std=1.0, split_frac=0.5)
    new, split = isodata_split(X, labels, center, p, np.array([1.0]), 1.0)   # N_c = 1 ≤ K/2
    sigma = X.std(0)[0]
    assert split == [0]
    assert np.allclose(new, center + np.array([[0.5 * sigma, 0], [-0.5 * sigma, 0]]))
    p_tight = IsodataParams(k_desired=2, min_size=5, max_std=4.0)          # σ_max < θ_S: no split
    assert isodata_split(X, labels, center, p_tight, np.array([1.0]), 1.0)[1] == []


def test_split_needs_size_and_spread_unless_too_few_clusters():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(0, 2.0, (10, 2)), rng.normal(20, 0.1, (10, 2))])
    labels = np.repeat([0, 1], 10)
    centers = np.array([X[:10].mean(0), X[10:].mean(0)])
    mean_dist = np.array([2.5, 0.1])
    # K = 3: N_c = 2 > K/2; cluster 0 has D_0 > D but n_0 = 10 ≤ 2(θ_N + 1) = 12: no split
    p = IsodataParams(k_desired=3, min_size=5, max_std=1.0)
    assert isodata_split(X, labels, centers, p, mean_dist, 1.3)[1] == []
    # with θ_N = 3, 10 > 8: split
    p = IsodataParams(k_desired=3, min_size=3, max_std=1.0)
    assert isodata_split(X, labels, centers, p, mean_dist, 1.3)[1] == [0]
    # K = 4: N_c = 2 ≤ K/2, so the size rule is waived
    p = IsodataParams(k_desired=4, min_size=5, max_std=1.0)
    assert isodata_split(X, labels, centers, p, mean_dist, 1.3)[1] == [0]


def test_isodata_merges_two_near_clusters():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([0, 0], 0.3, (100, 2)), rng.normal([0.8, 0], 0.3, (60, 2)),
                   rng.normal([6, 0], 0.3, (100, 2))])
    p = IsodataParams(k_desired=2, min_size=5, max_std=2.0, merge_dist=1.5, n_iter=4)
    res = isodata(X, p, init_centers=[[0, 0], [0.8, 0], [6, 0]])
    assert len(res.history[0]["merged"]) == 1
    assert len(res.centers) == 2
    truth = np.repeat([0, 0, 1], [100, 60, 100])
    assert adjusted_rand_score(res.labels, truth) == 1.0
    assert np.allclose(sorted(res.centers[:, 0]), [X[:160, 0].mean(), X[160:, 0].mean()])


def test_merge_rule_weighted_mean_at_most_L_and_each_cluster_once():
    centers = np.array([[0.0, 0], [1, 0], [1.5, 0], [10, 0], [10.5, 0]])
    sizes = np.array([10, 30, 5, 1, 3])
    p = IsodataParams(k_desired=2, max_merges=5)
    new, pairs = isodata_merge(centers, sizes, p, merge_dist=2.0)
    # candidate pairs by distance: (1,2) 0.5, (3,4) 0.5, (0,1) 1, (0,2) 1.5; 1 and 2 used once only
    assert pairs == [(1, 2), (3, 4)]
    assert np.allclose(new, [[0, 0], [(30 * 1 + 5 * 1.5) / 35, 0], [(10 + 3 * 10.5) / 4, 0]])
    p1 = IsodataParams(k_desired=2, max_merges=1)
    assert isodata_merge(centers, sizes, p1, merge_dist=2.0)[1] == [(1, 2)]
    assert isodata_merge(centers, sizes, p1, merge_dist=0.4)[1] == []


def test_isodata_discards_a_tiny_cluster():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([0, 0], 0.3, (100, 2)), rng.normal([5, 0], 0.3, (100, 2)),
                   rng.normal([2.5, 4], 0.1, (3, 2))])
    p = IsodataParams(k_desired=2, min_size=5, max_std=2.0, merge_dist=0.5, n_iter=4)
    res = isodata(X, p, init_centers=[[0, 0], [5, 0], [2.5, 4]])
    assert len(res.history[0]["discarded"]) == 1
    assert len(res.centers) == 2
    assert adjusted_rand_score(res.labels[:200], np.repeat([0, 1], 100)) == 1.0


def test_isodata_page_example_discards_splits_then_merges():
    from scripts.figures.clustering import isodata_demo_data
    X, init, params = isodata_demo_data()
    res = isodata(X, params, init_centers=init)
    h = res.history
    assert (len(h[0]["discarded"]), len(h[0]["split"]), len(h[0]["merged"])) == (1, 1, 0)
    assert (len(h[1]["discarded"]), len(h[1]["split"]), len(h[1]["merged"])) == (0, 0, 1)
    assert len(res.centers) == 3
    truth = np.repeat([0, 1, 2, 2, 0], [80, 80, 80, 80, 4])   # stray points join the nearest blob
    assert adjusted_rand_score(res.labels[:320], truth[:320]) == 1.0


def test_quantize_colors_uses_k_colours():
    rng = np.random.default_rng(0)
    img = rng.random((20, 30, 3))
    q, palette = quantize_colors(img, 5, sample=300, seed=0)
    assert q.shape == img.shape and palette.shape == (5, 3)
    assert len(np.unique(q.reshape(-1, 3), axis=0)) <= 5


@pytest.mark.parametrize("call, exc, words", [
    (lambda: kmeans(BLOBS, 0), ValueError, "k must be in"),
    (lambda: kmeans(BLOBS, 401), ValueError, "k must be at most the number of samples"),
    (lambda: kmeans(BLOBS, 2.5), TypeError, "k must be an integer"),
    (lambda: kmeans(BLOBS, 3, init="kmeans++"), ValueError, "init must be one of"),
    (lambda: kmeans(BLOBS[:, 0], 3), ValueError, "X must have 2 dimension"),
    (lambda: kmeans(np.zeros((0, 2)), 1), ValueError, "X must contain at least one sample"),
    (lambda: kmeans([[1.0, np.nan]], 1), ValueError, "X contains NaN"),
    (lambda: kmeans("abc", 1), TypeError, "X must be a numeric array"),
    (lambda: kmeans_plusplus(BLOBS, 3, n_local_trials=0), ValueError, "n_local_trials must be in"),
    (lambda: kmeans(BLOBS, 3, seed=-1), TypeError, "seed must be"),
    (lambda: lloyd(BLOBS, [[0.0, 0.0, 0.0]]), ValueError, "centers must be a non-empty array with 2 columns"),
    (lambda: lloyd(BLOBS, BLOBS[:2], tol=-1), ValueError, "tol must be in"),
    (lambda: inertia(BLOBS, np.zeros((0, 2))), ValueError, "centers must be a non-empty"),
    (lambda: isodata(BLOBS, {"k_desired": 3}), TypeError, "params must be an IsodataParams"),
    (lambda: isodata(BLOBS, IsodataParams(k_desired=0)), ValueError, "k_desired must be in"),
    (lambda: isodata(BLOBS, IsodataParams(3, max_std=0)), ValueError, "max_std must be in"),
    (lambda: isodata(BLOBS, IsodataParams(3, split_frac=1.5)), ValueError, "split_frac must be in"),
    (lambda: isodata(BLOBS, IsodataParams(3, n_iter=0)), ValueError, "n_iter must be in"),
    (lambda: isodata(BLOBS, IsodataParams(3), init_centers=[[1.0]]), ValueError, "init_centers must have shape"),
    (lambda: quantize_colors(np.zeros((4, 4)), 2), ValueError, "image must have 3 dimension"),
    (lambda: quantize_colors(np.zeros((4, 4, 4)), 2), ValueError, "image must have shape"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


@functools.lru_cache(maxsize=None)
def _init_shares():
    from scripts.figures.clustering import init_comparison, share_at_best
    _, res = init_comparison()
    best = min(r.min() for r in res.values())
    return {k: round(100 * share_at_best(v, best)) for k, v in res.items()}


@functools.lru_cache(maxsize=None)
def _inertia_landmarks():
    """The figure's best inertia and the range of the local minima random seeds end in."""
    from scripts.figures.clustering import init_comparison
    _, res = init_comparison()
    best = min(r.min() for r in res.values())
    stuck = res["random"][res["random"] > 1.05 * best]
    return {"best": best, "low": stuck.min(), "high": stuck.max()}


CLAIMS = [
    Claim("ml/clustering.md", lambda: _inertia_landmarks()["best"], "{:.0f}",
          en="almost always lands in the lowest bin, at 215", zh="几乎全部落在最低的一格，即 215"),
    Claim("ml/clustering.md", lambda: _inertia_landmarks()["low"], "{:.0f}",
          en="local minima between 445 and 751", zh="分散在 445 到 751 之间"),
    Claim("ml/clustering.md", lambda: _inertia_landmarks()["high"], "{:.0f}",
          en="local minima between 445 and 751", zh="分散在 445 到 751 之间"),
    Claim("ml/clustering.md", lambda: _init_shares()["random"], "{}%",
          en="random seeds reach it in 28% of 200 runs", zh="随机初始化 200 次里只有 28% 找到"),
    Claim("ml/clustering.md", lambda: _init_shares()["k-means++"], "{}%",
          en="k-means++ in 57%", zh="k-means++ 为 57%"),
    Claim("ml/clustering.md", lambda: _init_shares()["greedy k-means++ (scikit-learn)"], "{}%",
          en="greedy k-means++ with 4 trials in 97%", zh="4 个候选的贪心 k-means++ 为 97%"),
    Claim("ml/clustering.md", lambda: greedy_trials(9), "{}",
          en="greedy k-means++ with 4 trials", zh="4 个候选的贪心 k-means++"),
]
test_claims = claims_test(CLAIMS)
