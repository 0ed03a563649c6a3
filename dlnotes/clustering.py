"""k-means (Lloyd's algorithm), k-means++ seeding and ISODATA.

* ``kmeans_plusplus``: D² seeding (Arthur & Vassilvitskii, SODA 2007). With
  ``n_local_trials=1`` it is the paper's algorithm; with more trials it is the
  *greedy* variant scikit-learn uses (draw several candidates by D², keep the
  one that lowers the potential most).
* ``kmeans``: Lloyd iterations from k-means++ or uniformly random seeds.
* ``isodata``: the ISODATA procedure as stated by Tou & Gonzalez (1974), after
  Ball & Hall (1965): k-means-like iterations that also discard, split and
  merge clusters, so the number of clusters changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number, rng_from

INITS = ("k-means++", "random")


def _data(X) -> np.ndarray:
    X = as_float_array(X, "X", ndim=2)
    if len(X) == 0:
        raise ValueError("X must contain at least one sample")
    return X


def _k(k, n) -> int:
    k = integer(k, "k", low=1)
    if k > n:
        raise ValueError(f"k must be at most the number of samples ({n}), got {k}")
    return k


def _sq_dist(X, centers) -> np.ndarray:
    """Squared Euclidean distances, shape (n_samples, n_centers)."""
    d = (X**2).sum(1)[:, None] - 2 * X @ centers.T + (centers**2).sum(1)[None, :]
    return np.maximum(d, 0.0)            # rounding can make tiny distances negative


def inertia(X, centers) -> float:
    """Sum of squared distances from each sample to its nearest center (the k-means loss)."""
    X = _data(X)
    centers = _centers(centers, X, "centers")
    return float(_sq_dist(X, centers).min(1).sum())


# --8<-- [start:kmeanspp]
def kmeans_plusplus(X, k, n_local_trials=1, seed=None):
    """k-means++ seeding: each new center is a sample drawn with P ∝ D(x)².

    D(x) is the distance from x to the nearest center chosen so far.
    With n_local_trials > 1 (scikit-learn: 2 + ln k), draw that many
    candidates and keep the one with the smallest potential Σ D(x)²
    (greedy k-means++). Returns (centers, indices of the chosen samples).
    """
    X = _data(X)
    k = _k(k, len(X))
    n_local_trials = integer(n_local_trials, "n_local_trials", low=1)
    rng = rng_from(seed)
    idx = [int(rng.integers(len(X)))]          # first center: uniform
    d2 = _sq_dist(X, X[idx])[:, 0]             # D(x)², nearest center
    for _ in range(1, k):
        total = d2.sum()
        if total == 0:                         # fewer distinct points than k
            cand = rng.integers(len(X), size=n_local_trials)
        else:
            cand = rng.choice(len(X), size=n_local_trials, p=d2 / total)
        # potential after adding each candidate; keep the best one
        new_d2 = np.minimum(d2[None, :], _sq_dist(X, X[cand]).T)
        best = int(np.argmin(new_d2.sum(1)))
        idx.append(int(cand[best]))
        d2 = new_d2[best]
    return X[idx].copy(), np.array(idx)
# --8<-- [end:kmeanspp]


def greedy_trials(k) -> int:
    """scikit-learn's default number of local trials, 2 + int(ln k)."""
    return 2 + int(np.log(integer(k, "k", low=1)))


@dataclass
class KMeansResult:
    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int
    init_centers: np.ndarray


# --8<-- [start:lloyd]
def lloyd(X, centers, max_iter=300, tol=1e-4):
    """Lloyd's algorithm: assign samples to the nearest center, move
    each center to the mean of its samples. Neither step can increase
    the inertia, so it converges, to a local minimum. Stops when no
    center moves more than tol (relative to the data's variance).
    """
    X = _data(X)
    centers = _centers(centers, X, "centers").copy()
    max_iter = integer(max_iter, "max_iter", low=1)
    tol = real_number(tol, "tol", low=0.0) * X.var(0).mean()
    for it in range(1, max_iter + 1):
        d2 = _sq_dist(X, centers)
        labels = d2.argmin(1)                       # assignment step
        new = centers.copy()
        for j in range(len(centers)):
            members = X[labels == j]
            if len(members):
                new[j] = members.mean(0)            # update step
            else:                                   # empty cluster: move it
                new[j] = X[d2.min(1).argmax()]      # to the worst-served point
        shift = ((new - centers) ** 2).sum(1).max()
        centers = new
        if shift <= tol:
            break
    labels = _sq_dist(X, centers).argmin(1)
    return centers, labels, it
# --8<-- [end:lloyd]


def _centers(centers, X, name):
    centers = as_float_array(centers, name, ndim=2)
    if len(centers) == 0 or centers.shape[1] != X.shape[1]:
        raise ValueError(f"{name} must be a non-empty array with {X.shape[1]} "
                         f"columns, got shape {centers.shape}")
    return centers


def kmeans(X, k, init="k-means++", n_local_trials=1, max_iter=300, tol=1e-4, seed=None):
    """k-means with k-means++ (default) or uniformly random initial centers."""
    X = _data(X)
    k = _k(k, len(X))
    choice(init, "init", INITS)
    rng = rng_from(seed)
    if init == "random":                       # k distinct samples, uniformly (scikit-learn's "random")
        start = X[rng.choice(len(X), size=k, replace=False)]
    else:
        start, _ = kmeans_plusplus(X, k, n_local_trials=n_local_trials, seed=rng)
    centers, labels, n_iter = lloyd(X, start, max_iter=max_iter, tol=tol)
    return KMeansResult(centers, labels, inertia(X, centers), n_iter, start.copy())


# --------------------------------------------------------------------------- ISODATA

@dataclass
class IsodataParams:
    """ISODATA's parameters (names after Tou & Gonzalez 1974).

    k_desired:  K, the number of clusters wanted
    min_size:   θ_N, a cluster with fewer samples is discarded
    max_std:    θ_S, a cluster whose largest per-axis standard deviation exceeds it may be split
    merge_dist: θ_C, two clusters whose centers are closer than this may be merged
    max_merges: L, at most this many pairs are merged per iteration
    n_iter:     I, the number of iterations
    split_frac: k in γ = k·σ_max, how far the two halves of a split are pushed apart (0 < k ≤ 1)
    """
    k_desired: int
    min_size: int = 1
    max_std: float = 1.0
    merge_dist: float = 1.0
    max_merges: int = 1
    n_iter: int = 10
    split_frac: float = 0.5

    def checked(self) -> "IsodataParams":
        return IsodataParams(
            integer(self.k_desired, "k_desired", low=1), integer(self.min_size, "min_size", low=1),
            real_number(self.max_std, "max_std", low=0.0, low_open=True),
            real_number(self.merge_dist, "merge_dist", low=0.0),
            integer(self.max_merges, "max_merges", low=0), integer(self.n_iter, "n_iter", low=1),
            real_number(self.split_frac, "split_frac", low=0.0, high=1.0, low_open=True))


@dataclass
class IsodataResult:
    centers: np.ndarray
    labels: np.ndarray
    history: list = field(default_factory=list)   # one dict per iteration: centers and events


# --8<-- [start:isodata_split]
def isodata_split(X, labels, centers, p, mean_dist, overall_mean_dist):
    """Split rule (Tou & Gonzalez steps 8-10). Cluster j is split if

        σ_max > θ_S  and  ((D_j > D and n_j > 2(θ_N + 1))  or  N_c ≤ K/2)

    with σ_max its largest per-axis std, D_j its mean sample-to-center
    distance, D the n-weighted average of the D_j. Its center z_j becomes
    z_j ± γ, γ = k_s·σ_max along the axis of σ_max.
    Returns the new centers and the indices of the split clusters.
    """
    n_c = len(centers)
    out, split = [], []
    for j in range(n_c):
        members = X[labels == j]
        sigma = members.std(0)
        axis = int(sigma.argmax())
        big = len(members) > 2 * (p.min_size + 1)
        spread = mean_dist[j] > overall_mean_dist
        few = n_c <= p.k_desired / 2
        if sigma[axis] > p.max_std and ((spread and big) or few):
            gamma = np.zeros(X.shape[1])
            gamma[axis] = p.split_frac * sigma[axis]
            out += [centers[j] + gamma, centers[j] - gamma]
            split.append(j)
        else:
            out.append(centers[j])
    return np.array(out), split
# --8<-- [end:isodata_split]


# --8<-- [start:isodata_merge]
def isodata_merge(centers, sizes, p, merge_dist):
    """Merge rule (Tou & Gonzalez steps 11-13).

    Take the pairs with center distance D_ij < θ_C, at most L of them,
    smallest first. Merge a pair only if neither cluster was merged in
    this iteration; the new center is (n_i z_i + n_j z_j) / (n_i + n_j).
    Returns the new centers and the merged pairs.
    """
    d = np.sqrt(_sq_dist(centers, centers))
    i_up, j_up = np.triu_indices(len(centers), 1)
    close = sorted((d[i, j], i, j) for i, j in zip(i_up, j_up)
                   if d[i, j] < merge_dist)[:p.max_merges]
    used, merged, new = set(), [], []
    for _, i, j in close:
        if i in used or j in used:
            continue
        used |= {i, j}
        merged.append((int(i), int(j)))
        n_i, n_j = sizes[i], sizes[j]
        new.append((n_i * centers[i] + n_j * centers[j]) / (n_i + n_j))
    keep = [centers[m] for m in range(len(centers)) if m not in used]
    return np.array(keep + new), merged
# --8<-- [end:isodata_merge]


# --8<-- [start:isodata]
def isodata(X, params, init_centers=None, k_init=None, seed=None):
    """ISODATA (Tou & Gonzalez 1974). Each iteration:

    1. assign every sample to its nearest center;
    2. discard clusters with fewer than θ_N samples, reassign their
       samples (Tou & Gonzalez drop them for this iteration instead);
    3. move each center to its cluster's mean; compute D_j and D;
    4. last iteration: stop here. Else, if N_c > K/2 and (N_c ≥ 2K or
       the iteration is even): merge. Else split; if none split, merge.
    """
    X = _data(X)
    if not isinstance(params, IsodataParams):
        raise TypeError(f"params must be an IsodataParams, "
                        f"got {type(params).__name__}")
    p = params.checked()
    centers = _isodata_start(X, p, init_centers, k_init, seed)
    history = []
    for it in range(1, p.n_iter + 1):
        event = {"iteration": it, "start": centers.copy(),
                 "discarded": [], "split": [], "merged": []}
        labels = _sq_dist(X, centers).argmin(1)                 # 1. assign
        sizes = np.bincount(labels, minlength=len(centers))
        small = [j for j in range(len(centers)) if sizes[j] < p.min_size]
        if small and len(small) < len(centers):                 # 2. discard
            event["discarded"] = [centers[j].copy() for j in small]
            centers = np.delete(centers, small, axis=0)
            labels = _sq_dist(X, centers).argmin(1)
            sizes = np.bincount(labels, minlength=len(centers))
        centers, mean_dist, overall = _update(X, labels, centers, sizes)  # 3.
        n_c = len(centers)
        if it == p.n_iter:                                      # 4. decide
            pass
        elif n_c > p.k_desired / 2 and (n_c >= 2 * p.k_desired or it % 2 == 0):
            centers, event["merged"] = _merge_event(centers, sizes, p)
        else:
            new, split = isodata_split(X, labels, centers, p,
                                       mean_dist, overall)
            if split:
                event["split"] = [centers[j].copy() for j in split]
                centers = new
            else:
                centers, event["merged"] = _merge_event(centers, sizes, p)
        event["end"] = centers.copy()
        history.append(event)
    labels = _sq_dist(X, centers).argmin(1)
    return IsodataResult(centers, labels, history)
# --8<-- [end:isodata]


def _update(X, labels, centers, sizes):
    """Centers to cluster means; mean distances D_j and their weighted mean D."""
    k = len(centers)
    centers = np.array([X[labels == j].mean(0) if sizes[j] else centers[j]
                        for j in range(k)])
    dist = np.sqrt(((X - centers[labels]) ** 2).sum(1))
    mean_dist = np.array([dist[labels == j].mean() if sizes[j] else 0.0
                          for j in range(k)])
    return centers, mean_dist, float((sizes * mean_dist).sum() / len(X))


def _isodata_start(X, p, init_centers, k_init, seed):
    if init_centers is not None:
        centers = as_float_array(init_centers, "init_centers", ndim=2)
        if len(centers) == 0 or centers.shape[1] != X.shape[1]:
            raise ValueError(f"init_centers must have shape (m, {X.shape[1]}) "
                             f"with m ≥ 1, got {centers.shape}")
        return centers.copy()
    k0 = _k(p.k_desired if k_init is None else k_init, len(X))
    return X[rng_from(seed).choice(len(X), size=k0, replace=False)].copy()


def _merge_event(centers, sizes, p):
    new, pairs = isodata_merge(centers, sizes, p, p.merge_dist)
    return new, [(centers[i].copy(), centers[j].copy()) for i, j in pairs]


# --8<-- [start:quantize]
def quantize_colors(image, k, sample=5000, init="k-means++", seed=0):
    """Colour quantisation: k-means on (a sample of) the RGB values.

    Returns (the image redrawn with the k center colours, the palette).
    """
    img = as_float_array(image, "image", ndim=3)
    if img.shape[2] != 3:
        raise ValueError(f"image must have shape (height, width, 3), "
                         f"got {img.shape}")
    pixels = img.reshape(-1, 3)
    sample = integer(sample, "sample", low=1)
    rng = rng_from(seed)
    pick = rng.choice(len(pixels), size=min(sample, len(pixels)),
                      replace=False)
    res = kmeans(pixels[pick], k, init=init, seed=rng)   # fit on a sample
    chunks = np.array_split(pixels, max(1, len(pixels) // 65536))
    labels = np.concatenate([_sq_dist(c, res.centers).argmin(1)
                             for c in chunks])          # label every pixel
    return res.centers[labels].reshape(img.shape), res.centers
# --8<-- [end:quantize]
