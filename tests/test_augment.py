"""Tests for dlnotes.augment, the numbers on the Data augmentation page and its slider."""
import numpy as np
import pytest
from scipy import stats

from dlnotes.augment import (blend, cutmix, cutmix_box, cutout, mixup, one_hot, random_erasing,
                             sample_lambda, sample_pairing, sample_pairing_active)
from tests.claims import Claim, claims_test

RNG = np.random.default_rng(0)
X8 = RNG.integers(0, 256, size=(6, 12, 16, 3), dtype=np.uint8)      # a uint8 batch
XF = RNG.random((6, 12, 16))                                       # a float grey batch
Y = one_hot(np.array([0, 1, 2, 0, 1, 2]), 3)


# ------------------------------------------------------------------ mixup
def test_mixup_is_a_convex_combination_with_the_permuted_batch():
    xm, ym, lam, perm = mixup(XF, Y, alpha=0.4, seed=3)
    assert sorted(perm) == list(range(6))
    assert np.allclose(xm, lam * XF + (1 - lam) * XF[perm])
    assert np.allclose(ym, lam * Y + (1 - lam) * Y[perm])
    assert np.allclose(ym.sum(1), 1.0)


def test_mixup_keeps_uint8_and_rounds_half_up():
    a = np.full((1, 2, 2), 10, np.uint8)
    b = np.full((1, 2, 2), 11, np.uint8)
    x = np.concatenate([a, b])
    xm, _, lam, perm = mixup(x, one_hot(np.array([0, 1]), 2), lam=0.5, seed=0)
    assert xm.dtype == np.uint8 and lam == 0.5
    if perm[0] == 1:
        assert (xm[0] == 11).all()                # 10.5 rounds up, as Math.round does in the slider
    xm8, _, _, _ = mixup(X8, Y, seed=1)
    assert xm8.dtype == np.uint8 and xm8.shape == X8.shape


def test_mixup_float_input_stays_float_and_exact():
    xm, _, lam, perm = mixup(XF.astype(np.float32), Y, seed=2)
    assert xm.dtype == np.float64
    assert np.allclose(xm, lam * XF + (1 - lam) * XF[perm], atol=1e-6)


def test_lambda_follows_beta():
    # Kolmogorov-Smirnov against Beta(0.4, 0.4) on 4000 seeded draws; p > 1e-4 is a loose bar.
    rng = np.random.default_rng(5)
    lams = [sample_lambda(0.4, rng) for _ in range(4000)]
    assert stats.kstest(lams, stats.beta(0.4, 0.4).cdf).pvalue > 1e-4


def test_blend_matches_the_formula_and_endpoints():
    a, b = X8[0], X8[1]
    assert np.array_equal(blend(a, b, 1.0), a) and np.array_equal(blend(a, b, 0.0), b)
    lam = 0.3
    expected = np.floor(lam * a.astype(float) + (1 - lam) * b + 0.5).astype(np.uint8)
    assert np.array_equal(blend(a, b, lam), expected)


# ------------------------------------------------------------------ CutMix
def test_cutmix_label_weight_is_the_exact_area_kept():
    for seed in range(50):
        xm, ym, lam_kept, perm, (t, b, l, r) = cutmix(X8, Y, alpha=1.0, seed=seed)
        changed_box = np.zeros(X8.shape[1:3], bool)
        changed_box[t:b, l:r] = True
        assert lam_kept == pytest.approx(1 - changed_box.mean())
        assert np.array_equal(xm[:, ~changed_box], X8[:, ~changed_box])
        assert np.array_equal(xm[:, changed_box], X8[perm][:, changed_box])
        assert np.allclose(ym, lam_kept * Y + (1 - lam_kept) * Y[perm])
        assert xm.dtype == np.uint8


def test_cutmix_box_area_is_about_one_minus_lambda_inside_the_image():
    # centre 50 x 50 in a 100 x 100 image: box fully inside, area = (1 - lam) up to int rounding
    rng = np.random.default_rng(0)
    for lam in (0.1, 0.5, 0.9):
        for _ in range(20):
            t, b, l, r = cutmix_box(100, 100, lam, rng)
            assert 0 <= t <= b <= 100 and 0 <= l <= r <= 100
            side = int(100 * np.sqrt(1 - lam)) // 2 * 2
            assert (b - t) <= side and (r - l) <= side


def test_cutmix_with_lambda_one_changes_nothing():
    xm, ym, lam_kept, _, _ = cutmix(X8, Y, lam=1.0, seed=0)
    assert np.array_equal(xm, X8) and lam_kept == 1.0 and np.array_equal(ym, Y)


# ------------------------------------------------------------------ Cutout / Random Erasing
def test_cutout_zeroes_one_square_at_most_size_by_size():
    img = np.full((20, 20, 3), 200, np.uint8)
    for seed in range(30):
        out = cutout(img, 6, seed=seed)
        zero = (out == 0).all(axis=2)
        rows, cols = np.nonzero(zero)
        assert 0 < zero.sum() <= 36 and out.dtype == np.uint8
        assert zero.sum() == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)  # a rectangle


def test_random_erasing_probability_and_box_size():
    img = np.full((40, 40), 0.5)
    hits = [not np.array_equal(random_erasing(img, p=0.3, seed=s), img) for s in range(2000)]
    # binomial(2000, 0.3): sd 20.5; 6 sd tolerance
    assert abs(sum(hits) - 600) < 6 * np.sqrt(2000 * 0.3 * 0.7)
    out = random_erasing(img, p=1.0, area=(0.1, 0.1), ratio=1.0, seed=0)
    changed = out != img
    assert changed.sum() == pytest.approx(160, abs=30)          # area 10 % of 1600, rounded sides
    assert random_erasing(X8[0], p=1.0, seed=0).dtype == np.uint8


# ------------------------------------------------------------------ SamplePairing
def test_sample_pairing_averages_and_keeps_the_first_label():
    labels = np.array([0, 1, 2, 0, 1, 2])
    xp, lab, partner = sample_pairing(XF, labels, seed=4)
    assert np.allclose(xp, (XF + XF[partner]) / 2)
    assert np.array_equal(lab, labels)                  # label of the first image, never mixed
    xp8, _, _ = sample_pairing(X8, labels, seed=4)
    assert xp8.dtype == np.uint8


def foreign_partner_share(num_classes, n=20_000, seed=0):
    """Share of SamplePairing images whose partner has another label, with balanced classes."""
    labels = np.arange(n) % num_classes
    x = np.zeros((n, 1, 1), np.float32)
    _, _, partner = sample_pairing(x, labels, seed=seed)
    return float((labels[partner] != labels).mean())


def test_sample_pairing_mixes_two_classes_in_1_minus_1_over_k_of_the_images():
    for k in (2, 10, 100):
        assert foreign_partner_share(k) == pytest.approx(1 - 1 / k, abs=0.01)


def test_sample_pairing_schedule():
    on = [sample_pairing_active(e, warmup=3, finetune_from=20, on=8, off=2) for e in range(25)]
    assert on[:3] == [False] * 3                        # warm-up without it
    assert on[3:11] == [True] * 8 and on[11:13] == [False] * 2 and on[13:20] == [True] * 7
    assert not any(on[20:])                             # fine-tune without it


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("call, exc, words", [
    (lambda: mixup(X8, Y, alpha=0.0), ValueError, "alpha must be in"),
    (lambda: mixup(X8, Y, alpha=-1), ValueError, "alpha must be in"),
    (lambda: mixup(X8, Y, alpha="1"), TypeError, "alpha must be a real number"),
    (lambda: mixup(X8, Y[:4]), ValueError, "y must have one row per image"),
    (lambda: mixup(X8, Y * 2), ValueError, "y rows must be probability vectors"),
    (lambda: mixup(X8[0, :, :, 0], Y), ValueError, "x must be a batch"),
    (lambda: mixup(X8, Y, lam=1.5), ValueError, "lam must be in"),
    (lambda: cutmix(X8, Y, alpha=float("nan")), ValueError, "alpha must be finite"),
    (lambda: blend(X8[0], X8[0, :5], 0.5), ValueError, "a and b must have the same shape"),
    (lambda: blend("cat", X8[0], 0.5), TypeError, "a must be a numeric array"),
    (lambda: cutout(X8[0], 0), ValueError, "size must be in"),
    (lambda: cutout(X8, 3), ValueError, "image must be an image"),
    (lambda: random_erasing(X8[0], p=2.0), ValueError, "p must be in"),
    (lambda: random_erasing(X8[0], area=(0.5, 0.1)), ValueError, "area must have low <= high"),
    (lambda: random_erasing(X8[0], area=0.3), TypeError, "area must be a pair"),
    (lambda: random_erasing(X8[0], ratio=0.0), ValueError, "ratio must be in"),
    (lambda: sample_pairing(X8, np.zeros(3)), ValueError, "labels must have shape"),
    (lambda: sample_pairing_active(5, warmup=10, finetune_from=3), ValueError, "finetune_from must be in"),
    (lambda: one_hot(np.array([0, 3]), 3), ValueError, "labels must be in"),
    (lambda: one_hot(np.array([0.5]), 3), ValueError, "integer class indices"),
    (lambda: sample_lambda(1.0, seed="x"), TypeError, "seed must be"),
    (lambda: cutmix_box(0, 10, 0.5), ValueError, "height must be in"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# ------------------------------------------------------------------ the slider in the browser
def _site_png(built_site, name):
    from PIL import Image

    with Image.open(built_site / "assets" / "figures" / f"{name}.light.png") as im:
        return np.asarray(im.convert("RGBA"))[..., :3]


@pytest.mark.browser
@pytest.mark.parametrize("path, words", [("data/augmentation/", ("cat", "cup", "label")),
                                          ("zh/data/augmentation/", ("猫", "咖啡杯", "标签"))])
def test_mixup_slider_matches_dlnotes_blend(page_factory, built_site, path, words):
    page, problems = page_factory(path)
    box = page.locator(".mixup-slider")
    box.scroll_into_view_if_needed()
    page.wait_for_selector(".mixup-slider[data-drawn='1']", timeout=15_000)
    a, b = _site_png(built_site, "augment-slider-cat"), _site_png(built_site, "augment-slider-cup")
    for value in (0, 37, 50, 100):
        page.eval_on_selector(".mixup-range", "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                              value)
        lam = value / 100
        shown = page.evaluate("""() => {
            const c = document.querySelector('.mixup-canvas');
            return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
        }""")
        rgba = np.array(shown, dtype=np.uint8).reshape(a.shape[0], a.shape[1], 4)
        assert np.array_equal(rgba[..., :3], blend(a, b, lam)), f"canvas differs from blend at lam={lam}"
        text = page.locator(".mixup-readout").inner_text()
        assert f"λ = {lam:.2f}" in text
        assert f"{words[0]} {lam:.2f}" in text and f"{words[1]} {1 - lam:.2f}" in text and words[2] in text
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_augmentation_page_loads_without_errors(page_factory, scheme):
    page, problems = page_factory("data/augmentation/", scheme=scheme, width=390)
    page.wait_for_load_state("networkidle")
    assert page.locator(".mixup-canvas").count() == 1
    assert not problems, problems


# ------------------------------------------------------------------ claims on the page
def _middle_mass(alpha):
    return 100 * (stats.beta.cdf(0.9, alpha, alpha) - stats.beta.cdf(0.1, alpha, alpha))


def _doc_cutmix():
    x = np.zeros((2, 10, 10), np.uint8)
    x[1] = 255
    return cutmix(x, one_hot(np.array([0, 1]), 2), lam=0.6, seed=3)[2]


def _figure_cutmix():
    from scripts.figures.augment import compare_tiles

    caption = next(c for _, c in compare_tiles() if c.startswith("CutMix"))
    return float(caption.split("cat ")[1].split(" ")[0])


def _doc_mixup_lambda():
    x = np.arange(16, dtype=np.uint8).reshape(4, 2, 2) * 10
    return mixup(x, one_hot(np.arange(4), 4), alpha=0.4, seed=0)[2]


PAGE = "data/augmentation.md"
CLAIMS = [
    Claim(PAGE, lambda: _middle_mass(0.2), "{:.0f}",
          en="With \\(\\alpha = 0.2\\) only 33 % of the draws fall in \\(0.1 < \\lambda < 0.9\\)",
          zh="\\(\\alpha = 0.2\\) 时只有 33 % 的 \\(\\lambda\\) 落在 \\(0.1 < \\lambda < 0.9\\) 之间"),
    Claim(PAGE, lambda: _middle_mass(1.0), "{:.0f}",
          en="With \\(\\alpha = 1\\) (uniform) that is 80 %", zh="\\(\\alpha = 1\\)（均匀分布）时为 80 %"),
    Claim(PAGE, lambda: _middle_mass(4.0), "{:.0f}",
          en="with \\(\\alpha = 4\\) it is 99 %", zh="\\(\\alpha = 4\\) 时为 99 %"),
    Claim(PAGE, _doc_mixup_lambda, "{:.3f}",
          en="this seed draws \\(\\lambda = 0.895\\)", zh="这个随机种子抽到 \\(\\lambda = 0.895\\)"),
    Claim(PAGE, _doc_cutmix, "{:.2f}",
          en="the label weight is the exact area kept, 0.88, not 0.6",
          zh="标签权重是实际保留的面积 0.88，而不是 0.6"),
    Claim(PAGE, _figure_cutmix, "{:.2f}",
          en="CutMix with the pasted area (here 0.66, not 0.6)", zh="CutMix 按贴上的面积（这里是 0.66，不是 0.6）"),
    Claim(PAGE, lambda: 100 * (1 - 1 / 10), "{:.0f}",
          en="with probability \\(1 - 1/K\\) (90 % on CIFAR-10)", zh="\\(1 - 1/K\\)（CIFAR-10 上为 90 %）"),
    Claim(PAGE, lambda: 100 * foreign_partner_share(10), "{:.0f}",
          en="with probability \\(1 - 1/K\\) (90 % on CIFAR-10)", zh="\\(1 - 1/K\\)（CIFAR-10 上为 90 %）"),
]
test_claims = claims_test(CLAIMS)
