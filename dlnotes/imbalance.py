"""Class imbalance: resampling, ensembles, decision rules and metrics.

Binary problems use labels 0/1 with 1 = the positive, minority class.

* data level: random under-/over-sampling, Tomek links (cleaning);
  SMOTE itself lives in ``dlnotes.smote`` (the data-augmentation topic);
* ensembles: EasyEnsemble and BalanceCascade as Liu, Wu & Zhou (2009) define
  them, with scikit-learn's AdaBoost (decision stumps) as the inner learner;
* algorithm level: balanced class weights, threshold moving (cost threshold,
  prior correction, best-F1 threshold), post-hoc logit adjustment;
* metrics: confusion counts, precision/recall/F1, G-mean, ROC-AUC and
  PR-AUC (average precision), written from their definitions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number, rng_from


# ---------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------
def _labels(y, name, n=None, binary=False):
    """1-D integer labels (bools allowed); binary=True demands values in {0, 1}."""
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{name} must be an array of integer labels, got {type(y).__name__}")
    y = np.asarray(y)
    if y.dtype == bool:
        y = y.astype(np.int64)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {y.shape}")
    if n is not None and len(y) != n:
        raise ValueError(f"{name} must have {n} entries, got {len(y)}")
    if len(y) == 0:
        raise ValueError(f"{name} is empty")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if binary and not np.isin(y, (0, 1)).all():
        raise ValueError(f"{name} must contain only 0 (negative) and 1 (positive)")
    return y.astype(np.int64)


def _xy(X, y):
    X = as_float_array(X, "X", ndim=2)
    return X, _labels(y, "y", len(X))


def _scores(y_true, scores):
    """Binary labels and real scores of the same length, both classes present."""
    y_true = _labels(y_true, "y_true", binary=True)
    scores = as_float_array(scores, "scores", ndim=1)
    if len(scores) != len(y_true):
        raise ValueError(f"scores must have {len(y_true)} entries like y_true, got {len(scores)}")
    if y_true.min() == y_true.max():
        raise ValueError("y_true must contain both classes 0 and 1 for a ranking metric")
    return y_true, scores


def _binary_minority_xy(X, y):
    X, y = _xy(X, y)
    y = _labels(y, "y", binary=True)
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if n_pos == 0 or n_pos >= n_neg:
        raise ValueError(f"y must have class 1 as the (non-empty) minority, got {n_pos} positives "
                         f"and {n_neg} negatives")
    return X, y


# ---------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------
# --8<-- [start:metrics]
def confusion_counts(y_true, y_pred):
    """tn, fp, fn, tp of binary labels (1 = positive)."""
    y_true = _labels(y_true, "y_true", binary=True)
    y_pred = _labels(y_pred, "y_pred", len(y_true), binary=True)
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fp = int(np.sum((y_pred == 1) & (y_true == 0)))
    fn = int(np.sum((y_pred == 0) & (y_true == 1)))
    tn = len(y_true) - tp - fp - fn
    return tn, fp, fn, tp


def _ratio(a, b):
    return a / b if b else 0.0            # 0/0 -> 0 (scikit-learn's zero_division=0)


def precision_recall_f1(y_true, y_pred):
    """Precision TP/(TP+FP), recall TP/(TP+FN) and their harmonic mean F1."""
    tn, fp, fn, tp = confusion_counts(y_true, y_pred)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return precision, recall, _ratio(2 * tp, 2 * tp + fp + fn)   # F1 = 2PR/(P+R)


def g_mean(y_true, y_pred):
    """sqrt(recall of class 1 * recall of class 0) = sqrt(TPR * TNR)."""
    tn, fp, fn, tp = confusion_counts(y_true, y_pred)
    return math.sqrt(_ratio(tp, tp + fn) * _ratio(tn, tn + fp))
# --8<-- [end:metrics]


# --8<-- [start:ranking]
def roc_auc(y_true, scores):
    """P(score of a random positive > score of a random negative), ties count 1/2.

    This is the Mann-Whitney U statistic: rank all scores (average ranks for
    ties) and compare the positives' rank sum with its minimum.
    """
    y_true, scores = _scores(y_true, scores)
    order = np.argsort(scores, kind="mergesort")
    new_value = np.r_[True, np.diff(scores[order]) != 0]
    first = np.flatnonzero(new_value)                  # 0-based start of each tie group
    last = np.r_[first[1:], len(scores)]               # one past its end
    ranks = np.empty(len(scores))
    ranks[order] = ((first + 1 + last) / 2)[np.cumsum(new_value) - 1]   # average rank in a tie
    n_pos = int(y_true.sum())
    n_neg = len(y_true) - n_pos
    return float((ranks[y_true == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def pr_curve(y_true, scores):
    """Precision and recall at every distinct threshold, highest threshold first."""
    y_true, scores = _scores(y_true, scores)
    order = np.argsort(-scores, kind="mergesort")
    s, t = scores[order], y_true[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]   # end of each tie group
    tp = np.cumsum(t)[last]
    fp = (last + 1) - tp
    return tp / (tp + fp), tp / t.sum()


def average_precision(y_true, scores):
    """PR-AUC as a step sum: AP = sum_k (R_k - R_{k-1}) P_k (no interpolation)."""
    precision, recall = pr_curve(y_true, scores)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
# --8<-- [end:ranking]


def roc_curve(y_true, scores):
    """False- and true-positive rates at every distinct threshold, starting at (0, 0)."""
    y_true, scores = _scores(y_true, scores)
    order = np.argsort(-scores, kind="mergesort")
    s, t = scores[order], y_true[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    tp = np.cumsum(t)[last]
    fp = (last + 1) - tp
    return np.r_[0.0, fp / fp[-1]], np.r_[0.0, tp / tp[-1]]


# ---------------------------------------------------------------------------
# data level: random resampling and Tomek links
# ---------------------------------------------------------------------------
# --8<-- [start:random]
def random_undersample(X, y, seed=None):
    """Keep every class's count down to the smallest class (no replacement)."""
    X, y = _xy(X, y)
    rng = rng_from(seed)
    classes, counts = np.unique(y, return_counts=True)
    keep = [rng.choice(np.flatnonzero(y == c), counts.min(), replace=False) for c in classes]
    idx = np.sort(np.concatenate(keep))
    return X[idx], y[idx]


def random_oversample(X, y, seed=None):
    """Add exact copies (drawn with replacement) until every class has the largest count."""
    X, y = _xy(X, y)
    rng = rng_from(seed)
    classes, counts = np.unique(y, return_counts=True)
    extra = [rng.choice(np.flatnonzero(y == c), counts.max() - n, replace=True)
             for c, n in zip(classes, counts)]
    idx = np.concatenate([np.arange(len(y))] + extra)
    return X[idx], y[idx]
# --8<-- [end:random]


def _nearest_other(X, chunk=1024):
    """Index of each row's nearest other row (Euclidean), in chunks to bound memory."""
    sq = np.einsum("ij,ij->i", X, X)
    nn = np.empty(len(X), dtype=np.int64)
    for start in range(0, len(X), chunk):
        stop = min(start + chunk, len(X))
        d = sq[start:stop, None] - 2 * X[start:stop] @ X.T + sq[None, :]
        d[np.arange(stop - start), np.arange(start, stop)] = np.inf   # not yourself
        nn[start:stop] = d.argmin(axis=1)
    return nn


# --8<-- [start:tomek]
def tomek_links(X, y):
    """Boolean mask of the samples that belong to a Tomek link.

    (i, j) is a Tomek link when y_i != y_j and each is the other's nearest
    neighbour (Tomek 1976): a pair straddling the class boundary, or noise.
    """
    X, y = _xy(X, y)
    if len(X) < 2:
        raise ValueError("X needs at least 2 samples to have neighbours")
    nn = _nearest_other(X)
    mutual = nn[nn] == np.arange(len(X))
    return mutual & (y[nn] != y)


def remove_tomek_links(X, y, remove="majority"):
    """Drop the majority-class member of each link ('majority') or both ('both')."""
    choice(remove, "remove", ("majority", "both"))
    X, y = _xy(X, y)
    in_link = tomek_links(X, y)
    if remove == "majority":
        classes, counts = np.unique(y, return_counts=True)
        in_link &= y != classes[counts.argmin()]       # keep every minority sample
    return X[~in_link], y[~in_link]
# --8<-- [end:tomek]


# ---------------------------------------------------------------------------
# ensembles: EasyEnsemble and BalanceCascade (Liu, Wu & Zhou 2009)
# ---------------------------------------------------------------------------
@dataclass
class BalancedEnsemble:
    """T AdaBoost members H_i with thresholds theta_i.

    H(x) = sign( sum_i sum_j alpha_ij h_ij(x) - sum_i theta_i ),  h_ij in {-1, +1}.
    """
    members: list
    thresholds: list
    subsets: list = field(default_factory=list)      # majority indices each member saw
    pools: list = field(default_factory=list)        # majority pool before each round (indices)

    @property
    def pool_sizes(self):
        return [len(p) for p in self.pools]

    def decision_function(self, X):
        X = as_float_array(X, "X", ndim=2)
        return sum(_margin(m, X) for m in self.members) - sum(self.thresholds)

    def predict(self, X):
        return (self.decision_function(X) > 0).astype(np.int64)


def _margin(model, X):
    """sum_j alpha_j h_j(x) of a fitted AdaBoostClassifier, with h_j mapped to -1/+1."""
    return sum(w * (2.0 * est.predict(X) - 1.0)
               for est, w in zip(model.estimators_, model.estimator_weights_))


def _adaboost(n_rounds, rng):
    from sklearn.ensemble import AdaBoostClassifier
    from sklearn.tree import DecisionTreeClassifier
    return AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=n_rounds,
                              random_state=int(rng.integers(2**31 - 1)))


# --8<-- [start:easy]
def easy_ensemble(X, y, n_subsets=4, n_rounds=10, seed=None):
    """EasyEnsemble: T independent balanced subsets, one AdaBoost each, all votes summed.

    Each subset is ALL minority samples plus |P| majority samples drawn at
    random from the whole majority class, independently of the other subsets
    (they may overlap; together they need not cover the majority class).
    """
    X, y = _binary_minority_xy(X, y)
    n_subsets = integer(n_subsets, "n_subsets", low=1)
    n_rounds = integer(n_rounds, "n_rounds", low=1)
    rng = rng_from(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    ens = BalancedEnsemble([], [])
    for _ in range(n_subsets):                              # independent: parallelisable
        sub = rng.choice(neg, len(pos), replace=False)
        idx = np.r_[pos, sub]
        ens.members.append(_adaboost(n_rounds, rng).fit(X[idx], y[idx]))
        ens.thresholds.append(0.0)                          # AdaBoost's own threshold
        ens.subsets.append(sub)
        ens.pools.append(neg)
    return ens
# --8<-- [end:easy]


# --8<-- [start:cascade]
def balance_cascade(X, y, n_subsets=4, n_rounds=10, seed=None):
    """BalanceCascade: sequential; each round REMOVES the majority samples it already gets right.

    theta_i is set so that H_i's false-positive rate on the current majority
    pool is f = (|P|/|N|)^(1/(T-1)); the correctly classified majority samples
    (a fraction 1 - f) leave the pool, so after T-1 rounds |P| samples remain.
    """
    X, y = _binary_minority_xy(X, y)
    n_subsets = integer(n_subsets, "n_subsets", low=2)
    n_rounds = integer(n_rounds, "n_rounds", low=1)
    rng = rng_from(seed)
    pos, pool = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    f = (len(pos) / len(pool)) ** (1.0 / (n_subsets - 1))
    ens = BalancedEnsemble([], [])
    for i in range(n_subsets):
        sub = rng.choice(pool, len(pos), replace=False)
        idx = np.r_[pos, sub]
        model = _adaboost(n_rounds, rng).fit(X[idx], y[idx])
        margins = _margin(model, X[pool])
        # the k pool samples with the largest margins stay (false positives); ties broken at random
        k = max(math.ceil(f * len(pool) - 1e-9), len(pos))
        order = rng.permutation(len(pool))
        order = order[np.argsort(-margins[order], kind="stable")]
        kth, nxt = margins[order[k - 1]], margins[order[min(k, len(pool) - 1)]]
        ens.members.append(model)
        ens.thresholds.append(float((kth + nxt) / 2))      # FP rate of H_i on the pool = k/|pool| ~ f
        ens.subsets.append(sub)
        ens.pools.append(pool)
        if i < n_subsets - 1:
            pool = pool[np.sort(order[:k])]                 # the correctly rejected leave for good
    return ens
# --8<-- [end:cascade]


# ---------------------------------------------------------------------------
# algorithm level: weights, thresholds, logit adjustment
# ---------------------------------------------------------------------------
# --8<-- [start:weights]
def balanced_class_weights(y):
    """w_c = n / (K * n_c): every class gets the same total weight n/K."""
    y = _labels(y, "y")
    classes, counts = np.unique(y, return_counts=True)
    return {int(c): float(len(y) / (len(classes) * n)) for c, n in zip(classes, counts)}
# --8<-- [end:weights]


# --8<-- [start:threshold]
def cost_threshold(cost_fp, cost_fn):
    """Bayes threshold for a calibrated P(y=1|x): predict 1 when p > c_FP / (c_FP + c_FN)."""
    cost_fp = real_number(cost_fp, "cost_fp", low=0.0, low_open=True)
    cost_fn = real_number(cost_fn, "cost_fn", low=0.0, low_open=True)
    return cost_fp / (cost_fp + cost_fn)


def prior_correct(proba, train_prior, true_prior):
    """Move P(y=1|x) learned at positive rate train_prior to the rate true_prior.

    Bayes' rule with the class-conditional densities unchanged (Saerens et al.
    2002): multiply the odds by (pi'/pi) / ((1-pi')/(1-pi)).
    """
    proba = as_float_array(proba, "proba")
    if proba.min(initial=0.0) < 0 or proba.max(initial=0.0) > 1:
        raise ValueError("proba must lie in [0, 1]")
    pi = real_number(train_prior, "train_prior", low=0.0, high=1.0, low_open=True, high_open=True)
    pi_new = real_number(true_prior, "true_prior", low=0.0, high=1.0, low_open=True, high_open=True)
    a = proba * pi_new / pi
    b = (1.0 - proba) * (1.0 - pi_new) / (1.0 - pi)
    return a / (a + b)
# --8<-- [end:threshold]


def best_f1_threshold(y_true, scores):
    """The score threshold t maximising F1 of 'predict 1 when score >= t' (use validation data)."""
    y_true, scores = _scores(y_true, scores)
    precision, recall = pr_curve(y_true, scores)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-300), 0)
    distinct = np.unique(scores)[::-1]               # same order as pr_curve's points
    return float(distinct[int(f1.argmax())])


# --8<-- [start:logit]
def logit_adjust(logits, class_prior, tau=1.0):
    """Post-hoc logit adjustment (Menon et al. 2021): f_y(x) - tau * log(pi_y).

    argmax of the result targets the balanced error; tau = 1 is the Bayes
    rule when softmax(logits) estimates P(y|x) under the training prior pi.
    """
    logits = as_float_array(logits, "logits", min_ndim=1)
    prior = as_float_array(class_prior, "class_prior", ndim=1)
    if prior.shape[0] != logits.shape[-1]:
        raise ValueError(f"class_prior must have {logits.shape[-1]} entries (one per class), "
                         f"got {prior.shape[0]}")
    if (prior <= 0).any() or abs(prior.sum() - 1) > 1e-6:
        raise ValueError("class_prior must be positive and sum to 1")
    tau = real_number(tau, "tau", low=0.0)
    return logits - tau * np.log(prior)
# --8<-- [end:logit]
