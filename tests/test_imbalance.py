"""Tests for dlnotes.imbalance and the numbers the class-imbalance page states."""
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import (average_precision_score, confusion_matrix, precision_recall_fscore_support,
                             roc_auc_score)
from sklearn.metrics import roc_curve as sk_roc_curve
from sklearn.utils.class_weight import compute_class_weight

from dlnotes.imbalance import (average_precision, balance_cascade, balanced_class_weights,
                               best_f1_threshold, confusion_counts, cost_threshold, easy_ensemble,
                               g_mean, logit_adjust, pr_curve, precision_recall_f1, prior_correct,
                               random_oversample, random_undersample, remove_tomek_links, roc_auc,
                               roc_curve, tomek_links)
from tests.claims import Claim, claims_test


def scored(seed, n=2000, rate=0.05, shift=1.5, decimals=None):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    s = rng.normal(size=n) + shift * y
    return y, (np.round(s, decimals) if decimals is not None else s)


def imbalanced(seed=0, n=3000, weight=0.95, flip=0.0):
    return make_classification(n, n_features=6, n_informative=4, n_redundant=0, weights=[weight],
                               flip_y=flip, class_sep=1.0, random_state=seed)


# ---------------------------------------------------------------- metrics vs scikit-learn / imbalanced-learn
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("decimals", [None, 1, 0])          # 0 decimals: many ties
def test_ranking_metrics_match_sklearn(seed, decimals):
    y, s = scored(seed, decimals=decimals)
    assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s), abs=1e-12)


def test_roc_curve_matches_sklearn_points():
    y, s = scored(5, decimals=1)
    fpr, tpr = roc_curve(y, s)
    sk_fpr, sk_tpr, _ = sk_roc_curve(y, s, drop_intermediate=False)
    assert np.allclose(fpr, sk_fpr) and np.allclose(tpr, sk_tpr)
    assert np.trapezoid(tpr, fpr) == pytest.approx(roc_auc(y, s))


@pytest.mark.parametrize("seed", range(4))
def test_threshold_metrics_match_sklearn_and_imblearn(seed):
    from imblearn.metrics import geometric_mean_score
    y, s = scored(seed)
    pred = (s > 1.0).astype(int)
    assert confusion_counts(y, pred) == tuple(confusion_matrix(y, pred).ravel())
    p, r, f1 = precision_recall_f1(y, pred)
    assert (p, r, f1) == pytest.approx(precision_recall_fscore_support(y, pred, average="binary")[:3])
    assert g_mean(y, pred) == pytest.approx(geometric_mean_score(y, pred))


def test_metrics_never_nan():
    y = np.array([0, 0, 1, 1])
    assert precision_recall_f1(y, np.zeros(4, int)) == (0.0, 0.0, 0.0)
    assert g_mean(y, np.zeros(4, int)) == 0.0


def test_auc_is_a_probability_of_correct_ranking():
    # perfect ranking, reversed ranking, all tied
    y = np.array([0, 0, 0, 1, 1])
    assert roc_auc(y, [1, 2, 3, 4, 5]) == 1.0
    assert roc_auc(y, [5, 4, 3, 2, 1]) == 0.0
    assert roc_auc(y, [1, 1, 1, 1, 1]) == 0.5
    assert average_precision(y, [1, 2, 3, 4, 5]) == 1.0


def test_random_scores_pr_auc_is_prevalence_roc_is_half():
    # Large sample: AP of random scores ~ prevalence, AUC ~ 0.5 (sd of AUC ~ 0.007 here).
    rng = np.random.default_rng(0)
    y = (rng.random(200_000) < 0.01).astype(int)
    s = rng.random(200_000)
    assert abs(roc_auc(y, s) - 0.5) < 6 * np.sqrt((1 / 2000 + 1 / 198000) / 12)
    assert abs(average_precision(y, s) - 0.01) < 0.003


def test_best_f1_threshold_is_the_maximiser():
    y, s = scored(3, decimals=2)
    t = best_f1_threshold(y, s)
    best = precision_recall_f1(y, (s >= t).astype(int))[2]
    for other in np.unique(s)[::7]:
        assert precision_recall_f1(y, (s >= other).astype(int))[2] <= best + 1e-12
    precision, recall = pr_curve(y, s)
    assert len(precision) == len(np.unique(s))


# ---------------------------------------------------------------- resampling vs imbalanced-learn
def test_random_under_and_over_sampling_counts_and_rows():
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler
    X, y = make_classification(600, n_classes=3, n_informative=4, weights=[0.7, 0.2, 0.1], random_state=1)
    rows = {tuple(r) for r in X}
    for ours, ref in [(random_undersample, RandomUnderSampler), (random_oversample, RandomOverSampler)]:
        Xr, yr = ours(X, y, seed=0)
        Xi, yi = ref(random_state=0).fit_resample(X, y)
        assert np.array_equal(np.bincount(yr), np.bincount(yi))
        assert all(tuple(r) in rows for r in Xr)
    Xo, yo = random_oversample(X, y, seed=0)
    assert {tuple(r) for r in Xo} == rows                      # copies only, nothing lost
    Xu, yu = random_undersample(X, y, seed=0)
    assert len({tuple(r) for r in Xu}) == len(Xu)              # no replacement


def test_resampling_is_seeded():
    X, y = imbalanced()
    a, b = random_undersample(X, y, seed=3), random_undersample(X, y, seed=3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("seed", range(3))
def test_tomek_links_match_imblearn(seed):
    from imblearn.under_sampling import TomekLinks
    X, y = imbalanced(seed, n=800, weight=0.85, flip=0.05)
    mask = tomek_links(X, y)
    assert np.array_equal(mask, TomekLinks.is_tomek(y, _nn_of(X), class_type=[0, 1]))
    Xr, yr = remove_tomek_links(X, y)
    Xi, yi = TomekLinks().fit_resample(X, y)
    assert np.array_equal(Xr, Xi) and np.array_equal(yr, yi)
    assert mask.sum() > 0 and (yr == 1).sum() == (y == 1).sum()
    Xb, yb = remove_tomek_links(X, y, remove="both")
    assert len(Xb) == len(X) - mask.sum()


def _nn_of(X):
    from sklearn.neighbors import NearestNeighbors
    return NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X, return_distance=False)[:, 1]


def test_tomek_link_definition_on_a_tiny_example():
    X = np.array([[0.0], [1.0], [1.2], [5.0]])
    y = np.array([0, 0, 1, 0])
    assert tomek_links(X, y).tolist() == [False, True, True, False]


# ---------------------------------------------------------------- ensembles
def test_easy_ensemble_subsets_are_independent_balanced_draws():
    X, y = imbalanced()
    ens = easy_ensemble(X, y, n_subsets=6, n_rounds=5, seed=0)
    neg = set(np.flatnonzero(y == 0))
    for sub in ens.subsets:
        assert len(sub) == (y == 1).sum() == len(set(sub))     # |N_i| = |P|, no repeats
        assert set(sub) <= neg
    assert ens.pool_sizes == [len(neg)] * 6                     # nothing is ever removed
    union = set(np.concatenate(ens.subsets))
    assert len(union) < sum(map(len, ens.subsets))              # independent draws overlap
    assert ens.thresholds == [0.0] * 6


def test_easy_ensemble_matches_imblearn_quality():
    from imblearn.ensemble import EasyEnsembleClassifier
    X, y = imbalanced(seed=2, n=6000)
    Xt, yt, Xv, yv = X[:3000], y[:3000], X[3000:], y[3000:]
    ours = easy_ensemble(Xt, yt, n_subsets=10, n_rounds=50, seed=0)
    ref = EasyEnsembleClassifier(n_estimators=10, random_state=0).fit(Xt, yt)
    auc_ours = roc_auc(yv, ours.decision_function(Xv))
    auc_ref = roc_auc(yv, ref.predict_proba(Xv)[:, 1])
    assert auc_ours > 0.85 and abs(auc_ours - auc_ref) < 0.03
    assert abs(g_mean(yv, ours.predict(Xv)) - g_mean(yv, ref.predict(Xv))) < 0.05


def test_easy_ensemble_margin_is_the_weighted_vote():
    X, y = imbalanced()
    ens = easy_ensemble(X, y, n_subsets=2, n_rounds=4, seed=1)
    m = ens.members[0]
    votes = np.array([2 * e.predict(X[:5]) - 1 for e in m.estimators_])
    by_hand = (m.estimator_weights_[:len(votes), None] * votes).sum(0)
    other = ens.members[1]
    by_hand += (other.estimator_weights_[:, None] * np.array([2 * e.predict(X[:5]) - 1
                                                             for e in other.estimators_])).sum(0)
    assert np.allclose(ens.decision_function(X[:5]), by_hand)


def test_balance_cascade_removes_correctly_classified_majority():
    X, y = imbalanced(seed=1)
    T = 4
    ens = balance_cascade(X, y, n_subsets=T, n_rounds=10, seed=0)
    n_pos, n_neg = (y == 1).sum(), (y == 0).sum()
    f = (n_pos / n_neg) ** (1 / (T - 1))
    sizes = ens.pool_sizes
    assert sizes[0] == n_neg
    for a, b in zip(sizes, sizes[1:]):                          # shrinks by the factor f each round
        assert b == max(int(np.ceil(f * a - 1e-9)), n_pos)
    assert sizes[-1] <= n_pos + T                               # ends near |P|
    # each later subset is drawn only from majority samples the earlier members got wrong
    for i in range(1, T):
        sub = ens.subsets[i]
        for j in range(i):
            margin = _member_margin(ens.members[j], X[sub])
            assert np.all(margin >= ens.thresholds[j])       # >=: ties at the cut


def _member_margin(model, X):
    return sum(w * (2.0 * e.predict(X) - 1) for e, w in zip(model.estimators_, model.estimator_weights_))


def test_ensembles_are_seeded():
    X, y = imbalanced()
    a = balance_cascade(X, y, 3, 5, seed=4).decision_function(X)
    b = balance_cascade(X, y, 3, 5, seed=4).decision_function(X)
    assert np.array_equal(a, b)


# ---------------------------------------------------------------- weights, thresholds, logit adjustment
def test_balanced_class_weights_match_sklearn():
    y = np.array([0] * 90 + [1] * 9 + [2])
    w = balanced_class_weights(y)
    assert list(w.values()) == pytest.approx(compute_class_weight("balanced", classes=np.arange(3), y=y))
    assert {c: w[c] * (y == c).sum() for c in w} == pytest.approx({0: 100 / 3, 1: 100 / 3, 2: 100 / 3})


def test_cost_threshold_and_prior_correction():
    assert cost_threshold(1, 9) == pytest.approx(0.1)
    p = np.array([0.0, 0.2, 0.5, 0.9, 1.0])
    assert np.allclose(prior_correct(p, 0.3, 0.3), p)
    q = prior_correct(p, 0.5, 0.01)
    assert q[2] == pytest.approx(0.01)                         # 0.5 at a balanced prior = the new prior
    assert np.allclose(prior_correct(q, 0.01, 0.5), p)          # invertible
    assert np.all(np.diff(q) > 0)                               # monotone: AUC unchanged


def test_prior_correction_recalibrates_an_undersampled_model():
    from sklearn.linear_model import LogisticRegression
    X, y = imbalanced(seed=3, n=20000, weight=0.97)
    Xt, yt, Xv, yv = X[:10000], y[:10000], X[10000:], y[10000:]
    Xu, yu = random_undersample(Xt, yt, seed=0)
    p_u = LogisticRegression().fit(Xu, yu).predict_proba(Xv)[:, 1]
    prior = yt.mean()
    p_c = prior_correct(p_u, 0.5, prior)
    # the undersampled model over-predicts the positive rate by far; the correction fixes the mean
    assert p_u.mean() > 4 * yv.mean()
    assert abs(p_c.mean() - yv.mean()) < 0.5 * yv.mean()
    assert roc_auc(yv, p_c) == pytest.approx(roc_auc(yv, p_u))


def test_logit_adjust_equals_dividing_probabilities_by_the_prior():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(50, 4))
    prior = np.array([0.7, 0.2, 0.07, 0.03])
    adj = logit_adjust(logits, prior)
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert np.array_equal(adj.argmax(1), (probs / prior).argmax(1))
    assert np.array_equal(logit_adjust(logits, prior, tau=0.0), logits)


# ---------------------------------------------------------------- bad input
X0, Y0 = imbalanced(n=200)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: roc_auc([0, 0, 0], [0.1, 0.2, 0.3]), ValueError, "both classes"),
    (lambda: roc_auc([0, 1, 2], [0.1, 0.2, 0.3]), ValueError, "only 0"),
    (lambda: roc_auc([0, 1], [0.1, np.nan]), ValueError, "scores contains NaN"),
    (lambda: roc_auc([0, 1], [0.1, 0.2, 0.3]), ValueError, "scores must have 2"),
    (lambda: average_precision([0.0, 1.0], [0.1, 0.2]), TypeError, "integer class labels"),
    (lambda: precision_recall_f1([0, 1], [1]), ValueError, "y_pred must have 2"),
    (lambda: g_mean("ab", [0, 1]), TypeError, "y_true must be an array"),
    (lambda: confusion_counts([[0, 1]], [[0, 1]]), ValueError, "y_true must be 1-D"),
    (lambda: random_undersample(X0, Y0[:10]), ValueError, "y must have 200"),
    (lambda: random_oversample(X0[:, 0], Y0), ValueError, "X must have 2"),
    (lambda: tomek_links(X0[:1], Y0[:1]), ValueError, "at least 2"),
    (lambda: remove_tomek_links(X0, Y0, remove="minority"), ValueError, "remove must be one of"),
    (lambda: easy_ensemble(X0, 1 - Y0), ValueError, "class 1 as the"),
    (lambda: easy_ensemble(X0, Y0, n_subsets=0), ValueError, "n_subsets must be in"),
    (lambda: balance_cascade(X0, Y0, n_subsets=1), ValueError, "n_subsets must be in"),
    (lambda: balance_cascade(X0, Y0, n_rounds=2.5), TypeError, "n_rounds must be an integer"),
    (lambda: easy_ensemble(X0, Y0, seed=-1), TypeError, "seed must be"),
    (lambda: balanced_class_weights([]), ValueError, "y is empty"),
    (lambda: cost_threshold(0, 1), ValueError, "cost_fp must be in"),
    (lambda: prior_correct([0.5, 1.5], 0.5, 0.1), ValueError, "proba must lie"),
    (lambda: prior_correct([0.5], 1.0, 0.1), ValueError, "train_prior must be in"),
    (lambda: logit_adjust(np.zeros((2, 3)), [0.5, 0.5]), ValueError, "class_prior must have 3"),
    (lambda: logit_adjust(np.zeros((2, 2)), [0.9, 0.3]), ValueError, "sum to 1"),
    (lambda: logit_adjust(np.zeros((2, 2)), [0.5, 0.5], tau=-1), ValueError, "tau must be in"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# ---------------------------------------------------------------- numbers on the page
def worked():
    """The worked confusion matrix of the page: 10 000 cases, 100 positives."""
    y = np.r_[np.ones(100, int), np.zeros(9900, int)]
    pred = np.r_[np.ones(80, int), np.zeros(20, int), np.ones(400, int), np.zeros(9500, int)]
    return y, pred


def _acc():
    y, p = worked()
    return float((y == p).mean())


def _figure_scores(which, metric):
    from scripts.figures.imbalance import two_classifiers
    y, scores = two_classifiers()
    return metric(y, scores[which])


def _precision_at_recall(which, recall):
    """Precision of the figure's scorer at the first threshold that reaches ``recall``."""
    from scripts.figures.imbalance import two_classifiers
    y, scores = two_classifiers()
    prec, rec = pr_curve(y, scores[which])
    return float(prec[np.argmax(rec >= recall)])


def _calibration(i):
    from scripts.figures.imbalance import calibration_data
    data = calibration_data()
    return data[0].mean() if i == 0 else data[i].mean()


def _cascade_f():
    X, y = make_classification(2100, weights=[0.95], random_state=0)
    return (y.sum() / (len(y) - y.sum())) ** (1 / 3)


def _precision_at(tpr, fpr, prior):
    return tpr * prior / (tpr * prior + fpr * (1 - prior))


CLAIMS = [
    Claim("data/class-imbalance.md", lambda: _precision_at_recall("weak", 0.5), "{:.2f}",
          en="at recall 0.5 its precision is 0.17", zh="召回率 0.5 时精确率只有 0.17"),
    Claim("data/class-imbalance.md", lambda: 1 / _precision_at_recall("weak", 0.5), "{:.0f}",
          en="only about one alarm in 6 is a true positive", zh="大约每 6 次报警才有 1 次是真正例"),
    Claim("data/class-imbalance.md", lambda: _figure_scores("weak", roc_auc), "{:.3f}",
          en="the weak scorer's ROC-AUC is 0.919", zh="弱分类器的 ROC-AUC 为 0.919"),
    Claim("data/class-imbalance.md", lambda: _figure_scores("weak", average_precision), "{:.3f}",
          en="but its PR-AUC is 0.263", zh="PR-AUC 却只有 0.263"),
    Claim("data/class-imbalance.md", lambda: _figure_scores("strong", roc_auc), "{:.3f}",
          en="The strong scorer has ROC-AUC 0.995", zh="强分类器的 ROC-AUC 为 0.995"),
    Claim("data/class-imbalance.md", lambda: _figure_scores("strong", average_precision), "{:.3f}",
          en="and PR-AUC 0.826", zh="PR-AUC 为 0.826"),
    Claim("data/class-imbalance.md", lambda: _calibration(2), "{:.3f}",
          en="(mean 0.182 for a true rate of 0.030)", zh="平均预测却是 0.182"),
    Claim("data/class-imbalance.md", lambda: _calibration(0), "{:.3f}",
          en="(mean 0.182 for a true rate of 0.030)", zh="真实比例 0.030"),
    Claim("data/class-imbalance.md", _cascade_f, "{:.3f}",
          en="\\(f = (114/1986)^{1/3} \\approx 0.386\\)", zh="\\(f = (114/1986)^{1/3} \\approx 0.386\\)"),
    Claim("data/class-imbalance.md", lambda: _precision_at(0.8, 0.05, 0.01), "{:.2f}",
          en="gives precision \\(0.008/(0.008+0.0495) \\approx 0.14\\)",
          zh="精确率只有 \\(0.008/(0.008+0.0495) \\approx 0.14\\)"),
    Claim("data/class-imbalance.md", lambda: _precision_at(0.8, 0.01, 0.001), "{:.2f}",
          en="\\(0.0008/(0.0008 + 0.00999) \\approx 0.07\\)", zh="\\(0.0008/(0.0008 + 0.00999) \\approx 0.07\\)"),
    Claim("data/class-imbalance.md", lambda: precision_recall_f1(*worked())[0], "{:.3f}",
          en="precision \\(80/480 = 0.167\\)", zh="精确率 \\(80/480 = 0.167\\)"),
    Claim("data/class-imbalance.md", lambda: precision_recall_f1(*worked())[2], "{:.3f}",
          en="\\(F_1 = 0.276\\)", zh="\\(F_1 = 0.276\\)"),
    Claim("data/class-imbalance.md", lambda: g_mean(*worked()), "{:.3f}",
          en="G-mean \\(\\sqrt{0.8 \\times 0.960} = 0.876\\)", zh="G-mean \\(\\sqrt{0.8 \\times 0.960} = 0.876\\)"),
    Claim("data/class-imbalance.md", lambda: 9500 / 9900, "{:.3f}",
          en="specificity \\(9500/9900 = 0.960\\)", zh="特异度 \\(9500/9900 = 0.960\\)"),
    Claim("data/class-imbalance.md", lambda: 100 * _acc(), "{:.1f}",
          en="accuracy is 95.8%", zh="准确率 95.8%"),
    Claim("data/class-imbalance.md", lambda: cost_threshold(1, 99), "{:.2f}",
          en="threshold \\(1/(1+99) = 0.01\\)", zh="阈值 \\(1/(1+99) = 0.01\\)"),
]
test_claims = claims_test(CLAIMS)
