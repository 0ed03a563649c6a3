"""Figures for the class-imbalance page.

SMOTE is ``dlnotes.smote`` (written in the data-augmentation topic);
Borderline-SMOTE and ADASYN come from imbalanced-learn; everything else is
drawn from ``dlnotes.imbalance``.
"""
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.imbalance import (average_precision, balance_cascade, confusion_counts, easy_ensemble,
                               g_mean, pr_curve, precision_recall_f1, prior_correct,
                               random_oversample, random_undersample, roc_auc, roc_curve, tomek_links)
from dlnotes.smote import smote
from scripts.figures import figure

SEED = 7


def toy_2d(n_major=300, n_minor=30, seed=SEED):
    """Two overlapping Gaussian blobs, 10:1."""
    rng = np.random.default_rng(seed)
    X0 = rng.normal([0.0, 0.0], [1.0, 1.0], (n_major, 2))
    X1 = rng.normal([1.8, 1.2], [0.6, 0.6], (n_minor, 2))
    return np.r_[X0, X1], np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]


@figure("imbalance-confusion-matrix")
def confusion_figure(style):
    y = np.r_[np.ones(100, int), np.zeros(9900, int)]
    pred = np.r_[np.ones(80, int), np.zeros(20, int), np.ones(400, int), np.zeros(9500, int)]
    tn, fp, fn, tp = confusion_counts(y, pred)
    p, r, f1 = precision_recall_f1(y, pred)
    fig, (ax, tx) = plt.subplots(1, 2, figsize=(8, 3.3), gridspec_kw={"width_ratios": [1, 1.25]})
    cells = [[("TP", tp, style.accent), ("FN", fn, style.second)],
             [("FP", fp, style.second), ("TN", tn, style.off)]]
    for i, row in enumerate(cells):
        for j, (name, count, color) in enumerate(row):
            ax.add_patch(plt.Rectangle((j, 1 - i), 1, 1, color=color, alpha=0.35, lw=0))
            ax.text(j + 0.5, 1.5 - i, f"{name}\n{count}", ha="center", va="center", fontsize=12)
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 2)
    ax.set_xticks([0.5, 1.5], ["predicted 1", "predicted 0"])
    ax.set_yticks([1.5, 0.5], ["actual 1\n(100)", "actual 0\n(9 900)"])
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    ax.set_aspect("equal")
    lines = [
        ("accuracy", f"(TP+TN)/n = {(tp + tn) / len(y):.3f}", "always-0 scores 0.990"),
        ("precision", f"TP/(TP+FP) = {tp}/{tp + fp} = {p:.3f}", "5 of 6 alarms are false"),
        ("recall (TPR)", f"TP/(TP+FN) = {tp}/{tp + fn} = {r:.3f}", ""),
        ("specificity", f"TN/(TN+FP) = {tn / (tn + fp):.3f}", ""),
        ("F1", f"2PR/(P+R) = {f1:.3f}", ""),
        ("G-mean", f"sqrt(TPR x TNR) = {g_mean(y, pred):.3f}", "looks fine: ignores FP count"),
    ]
    tx.axis("off")
    for k, (name, formula, note) in enumerate(lines):
        yk = 0.92 - k * 0.16
        tx.text(0.0, yk, name, fontsize=10, fontweight="bold", transform=tx.transAxes)
        tx.text(0.30, yk, formula, fontsize=10, transform=tx.transAxes)
        if note:
            tx.text(0.30, yk - 0.07, note, fontsize=8, color=style.muted, transform=tx.transAxes)
    fig.suptitle("10 000 cases, 1 % positive: one classifier, six numbers", fontsize=10)
    fig.tight_layout()
    return fig


def two_classifiers(seed=SEED, n_neg=20_000, ratio=100):
    """Scores of a strong and a weak classifier: positives shifted by d' = 3.5 and 2.0."""
    rng = np.random.default_rng(seed)
    n_pos = n_neg // ratio
    y = np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)]
    out = {}
    for name, d in (("strong", 3.5), ("weak", 2.0)):
        out[name] = rng.normal(size=len(y)) + d * y
    return y, out


@figure("imbalance-roc-vs-pr")
def roc_vs_pr(style):
    y, scores = two_classifiers()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.6))
    for (name, s), color in zip(scores.items(), (style.accent, style.second)):
        fpr, tpr = roc_curve(y, s)
        a.plot(fpr, tpr, color=color, label=f"{name}: ROC-AUC {roc_auc(y, s):.3f}")
        prec, rec = pr_curve(y, s)
        b.step(np.r_[0, rec], np.r_[1, prec], where="pre", color=color,
               label=f"{name}: PR-AUC {average_precision(y, s):.3f}")
    a.plot([0, 1], [0, 1], color=style.muted, ls=":", lw=1, label="random: 0.5")
    b.axhline(y.mean(), color=style.muted, ls=":", lw=1, label=f"random: {y.mean():.3f}")
    a.set(xlabel="false-positive rate", ylabel="true-positive rate (recall)", title="ROC: both look good")
    b.set(xlabel="recall", ylabel="precision", title="PR: the weak one is mostly false alarms", ylim=(0, 1.02))
    for ax in (a, b):
        ax.grid(True, lw=0.5)
        ax.legend(fontsize=8, loc="lower right" if ax is a else "upper right")
        ax.title.set_fontsize(10)
    fig.suptitle(f"{int(y.sum())} positives, {int((1 - y).sum())} negatives (1:100); "
                 "scores: positives shifted by 3.5 (strong) or 2.0 (weak) standard deviations", fontsize=9)
    fig.tight_layout()
    return fig


@figure("imbalance-resampling")
def resampling_gallery(style):
    from imblearn.over_sampling import ADASYN, BorderlineSMOTE
    X, y = toy_2d()
    fig, axes = plt.subplots(2, 3, figsize=(8, 5.4), sharex=True, sharey=True)
    axes = axes.ravel()

    def base(ax, Xs, ys, title, sizes=None):
        ax.scatter(*Xs[ys == 0].T, s=6, color=style.muted, alpha=0.6, lw=0)
        ax.scatter(*Xs[ys == 1].T, s=14 if sizes is None else sizes, color=style.accent, lw=0)
        ax.set_title(title, fontsize=9)

    links = tomek_links(X, y)
    base(axes[0], X, y, f"original 300:30, {links.sum() // 2} Tomek links")
    # draw each Tomek link as a short segment
    for i in np.flatnonzero(links & (y == 1)):
        j = np.flatnonzero(links & (y == 0))
        j = j[np.argmin(((X[j] - X[i]) ** 2).sum(1))]
        axes[0].plot(*np.c_[X[i], X[j]], color=style.second, lw=2.5)
        axes[0].scatter(*X[j], s=16, facecolor="none", edgecolor=style.second, lw=1)
    Xu, yu = random_undersample(X, y, seed=SEED)
    base(axes[1], Xu, yu, "random undersampling 30:30")
    Xo, yo = random_oversample(X, y, seed=SEED)
    uniq, counts = np.unique(Xo[yo == 1], axis=0, return_counts=True)
    axes[2].scatter(*X[y == 0].T, s=6, color=style.muted, alpha=0.6, lw=0)
    axes[2].scatter(*uniq.T, s=8 + 10 * counts, color=style.accent, alpha=0.7, lw=0)
    axes[2].set_title("random oversampling (size = copies)", fontsize=9)
    X_smote, _ = smote(X[y == 1], n_new=int((y == 0).sum() - (y == 1).sum()), k=5, seed=SEED)
    for ax, sampler, name in [(axes[3], None, "SMOTE"),
                              (axes[4], BorderlineSMOTE(random_state=SEED), "Borderline-SMOTE"),
                              (axes[5], ADASYN(random_state=SEED), "ADASYN")]:
        new = X_smote if sampler is None else sampler.fit_resample(X, y)[0][len(X):]
        base(ax, X, y, f"{name}: {len(new)} synthetic")
        ax.scatter(*new.T, s=7, color=style.third, lw=0, alpha=0.8)
    axes[3].scatter([], [], s=10, color=style.third, label="synthetic minority")
    axes[3].scatter([], [], s=10, color=style.accent, label="real minority")
    axes[3].scatter([], [], s=10, color=style.muted, label="majority")
    axes[3].legend(fontsize=7, loc="lower left", handletextpad=0.1)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


@figure("imbalance-cascade")
def cascade_figure(style):
    rng = np.random.default_rng(SEED)
    X0 = rng.normal([0.0, 0.0], [1.2, 1.2], (2000, 2))
    X1 = rng.normal([2.0, 1.5], [0.6, 0.6], (100, 2))
    X, y = np.r_[X0, X1], np.r_[np.zeros(2000, int), np.ones(100, int)]
    T = 5
    easy = easy_ensemble(X, y, n_subsets=T, n_rounds=10, seed=SEED)
    casc = balance_cascade(X, y, n_subsets=T, n_rounds=10, seed=SEED)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.6), gridspec_kw={"width_ratios": [1, 1.15]})
    rounds = np.arange(1, T + 1)
    a.plot(rounds, easy.pool_sizes, "o-", color=style.muted, label="EasyEnsemble: nothing removed")
    a.plot(rounds, casc.pool_sizes, "o-", color=style.accent, label="BalanceCascade: pool shrinks by f")
    a.axhline(100, color=style.second, ls=":", lw=1, label="|P| = 100 = size of each subset")
    a.set_yscale("log")
    a.set(xlabel="round i", ylabel="majority pool |N| before round i", xticks=rounds)
    a.legend(fontsize=8)
    a.grid(True, lw=0.5)
    f = (100 / 2000) ** (1 / (T - 1))
    a.set_title(f"T = {T}, f = (100/2000)^(1/4) = {f:.3f}", fontsize=10)
    # which majority points each cascade round threw out
    removed_at = np.full(len(X), T)           # T = still in the final pool
    for i in range(1, T):
        gone = np.setdiff1d(casc.pools[i - 1], casc.pools[i])
        removed_at[gone] = i
    palette = [style.off, style.muted, style.third, style.fg]
    for i in range(1, T):
        pts = X[(removed_at == i) & (y == 0)]
        b.scatter(*pts.T, s=4, color=palette[(i - 1) % 4], alpha=0.7, lw=0, label=f"removed after round {i}")
    last = X[(removed_at == T) & (y == 0)]
    b.scatter(*last.T, s=10, color=style.second, lw=0, label="left for the last round")
    b.scatter(*X[y == 1].T, s=10, color=style.accent, marker="^", lw=0, label="minority")
    b.set_xticks([])
    b.set_yticks([])
    b.set_xlim(X[:, 0].min() - 0.2, X[:, 0].max() + 0.2)
    b.set_ylim(X[:, 1].min() - 0.2, X[:, 1].max() + 2.6)     # room for the legend
    b.legend(fontsize=7, loc="upper left", markerscale=2, borderaxespad=0)
    b.set_title("BalanceCascade: what each round removes", fontsize=10)
    fig.tight_layout()
    return fig


def calibration_data(seed=SEED):
    """Logistic regression at the real 3 % prior, after undersampling, and prior-corrected."""
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    X, y = make_classification(40_000, n_features=6, n_informative=4, n_redundant=0, weights=[0.97],
                               flip_y=0, class_sep=1.0, random_state=seed)
    Xt, yt, Xv, yv = X[:20_000], y[:20_000], X[20_000:], y[20_000:]
    p_plain = LogisticRegression().fit(Xt, yt).predict_proba(Xv)[:, 1]
    Xu, yu = random_undersample(Xt, yt, seed=seed)
    p_under = LogisticRegression().fit(Xu, yu).predict_proba(Xv)[:, 1]
    return yv, p_plain, p_under, prior_correct(p_under, 0.5, yt.mean())


@figure("imbalance-calibration")
def calibration_figure(style):
    yv, p_plain, p_under, p_fixed = calibration_data()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.5))
    edges = np.linspace(0, 1, 11)
    for p, name, color in [(p_plain, "trained on the real 3 %", style.third),
                           (p_under, "undersampled to 50 %", style.second),
                           (p_fixed, "undersampled + prior correction", style.accent)]:
        idx = np.clip(np.digitize(p, edges) - 1, 0, 9)
        mids = [p[idx == k].mean() for k in range(10) if (idx == k).sum() >= 30]
        obs = [yv[idx == k].mean() for k in range(10) if (idx == k).sum() >= 30]
        a.plot(mids, obs, "o-", color=color, ms=4,
               label=f"{name}: mean p {p.mean():.3f}")
        b.hist(p, bins=40, range=(0, 1), histtype="step", color=color, lw=1.5,
               label=f"ROC-AUC {roc_auc(yv, p):.3f}")
    a.plot([0, 1], [0, 1], color=style.muted, ls=":", lw=1)
    a.set(xlabel="predicted P(y=1)", ylabel="observed positive rate",
          title=f"reliability (true rate {yv.mean():.3f})")
    a.legend(fontsize=7, loc="upper left")
    b.set_yscale("log")
    b.set(xlabel="predicted P(y=1)", ylabel="count (log)", title="same ranking, different probabilities")
    b.legend(fontsize=7)
    for ax in (a, b):
        ax.grid(True, lw=0.5)
        ax.title.set_fontsize(10)
    fig.tight_layout()
    return fig
