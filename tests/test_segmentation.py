"""Tests for dlnotes.segmentation and the numbers the Segmentation page states."""
import numpy as np
import pytest
from sklearn.metrics import accuracy_score, jaccard_score
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from dlnotes.segmentation import (aspp_branch_table, bilinear_kernel, bilinear_upsample, class_iou,
                                  confusion_matrix, conv2d, dense_block_channels, dense_block_connections,
                                  dense_block_forward, dense_block_params, dense_block_stored_maps,
                                  mean_iou, overlap_count, pixel_accuracy, transition_channels,
                                  transposed_conv2d, valid_taps)
from tests.claims import Claim, claims_test

RNG = np.random.default_rng(0)
Y_TRUE = RNG.integers(0, 4, (3, 20, 30))
Y_PRED = np.where(RNG.random(Y_TRUE.shape) < 0.7, Y_TRUE, RNG.integers(0, 4, Y_TRUE.shape))


# ---------------------------------------------------------------- metrics

def test_confusion_matrix_matches_sklearn():
    ours = confusion_matrix(Y_TRUE, Y_PRED, 4)
    assert np.array_equal(ours, sk_confusion_matrix(Y_TRUE.ravel(), Y_PRED.ravel(), labels=range(4)))


def test_pixel_accuracy_and_miou_match_sklearn():
    conf = confusion_matrix(Y_TRUE, Y_PRED, 4)
    assert pixel_accuracy(conf) == pytest.approx(accuracy_score(Y_TRUE.ravel(), Y_PRED.ravel()))
    assert mean_iou(conf) == pytest.approx(jaccard_score(Y_TRUE.ravel(), Y_PRED.ravel(), average="macro"))
    iou, defined = class_iou(conf)
    assert defined.all()
    assert np.allclose(iou, jaccard_score(Y_TRUE.ravel(), Y_PRED.ravel(), average=None))


def test_ignore_index_drops_pixels():
    y = Y_TRUE.copy()
    y[:, :2, :] = 255                                   # VOC's "void" border label
    keep = y != 255
    conf = confusion_matrix(y, Y_PRED, 4, ignore_index=255)
    assert conf.sum() == keep.sum()
    assert np.array_equal(conf, sk_confusion_matrix(y[keep], Y_PRED[keep], labels=range(4)))


def test_absent_class_is_left_out_of_the_mean():
    t = np.array([0, 0, 1, 1])
    p = np.array([0, 1, 1, 1])
    conf = confusion_matrix(t, p, 3)                    # class 2 never appears
    iou, defined = class_iou(conf)
    assert defined.tolist() == [True, True, False]
    assert mean_iou(conf) == pytest.approx((1 / 2 + 2 / 3) / 2)


def test_dataset_miou_differs_from_mean_of_per_image_miou():
    # Image A is big and right, image B is tiny and wrong: accumulate first, then divide.
    a_t, a_p = np.zeros(100, int), np.zeros(100, int)
    a_t[50:] = 1
    a_p[50:] = 1
    b_t, b_p = np.array([0, 1]), np.array([1, 0])
    total = mean_iou(confusion_matrix(np.r_[a_t, b_t], np.r_[a_p, b_p], 2))
    per_image = np.mean([mean_iou(confusion_matrix(a_t, a_p, 2)), mean_iou(confusion_matrix(b_t, b_p, 2))])
    assert total == pytest.approx(50 / 52)
    assert per_image == pytest.approx(0.5)


def test_background_heavy_image_has_high_accuracy_but_low_miou():
    t = np.zeros((100, 100), int)
    t[45:55, 45:55] = 1                                 # a 1 % object
    p = np.zeros_like(t)                                # predict "background" everywhere
    conf = confusion_matrix(t, p, 2)
    assert pixel_accuracy(conf) == pytest.approx(0.99)
    assert mean_iou(conf) == pytest.approx(0.495)


# ---------------------------------------------------------------- DenseNet

@pytest.mark.parametrize("L", [1, 2, 5, 6, 12, 24])
def test_connection_count_is_L_times_L_plus_1_over_2(L):
    pairs = dense_block_connections(L)
    assert len(pairs) == L * (L + 1) // 2
    assert len(set(pairs)) == len(pairs)
    assert all(src < dst for src, dst in pairs)


def test_channels_grow_by_the_growth_rate():
    inputs, out = dense_block_channels(64, 32, 6)
    assert inputs == [64, 96, 128, 160, 192, 224]
    assert out == 64 + 6 * 32
    assert transition_channels(out, 0.5) == 128


def test_forward_pass_uses_exactly_the_counted_parameters():
    x = np.random.default_rng(1).normal(size=(3, 6, 6))
    out, weights = dense_block_forward(x, growth_rate=4, num_layers=5, seed=2)
    assert out.shape == (3 + 5 * 4, 6, 6)
    assert sum(w.size for w in weights) == dense_block_params(3, 4, 5)
    assert np.array_equal(out[:3], x)                   # the input is passed on unchanged


def test_bottleneck_params_formula():
    # DenseNet-BC layer: 1x1 conv c -> 4k, then 3x3 conv 4k -> k.
    inputs, _ = dense_block_channels(64, 32, 6)
    assert dense_block_params(64, 32, 6, bottleneck=True) == sum(c * 128 + 128 * 32 * 9 for c in inputs)


def test_naive_storage_is_quadratic():
    s = dense_block_stored_maps(64, 32, 24)
    inputs, out = dense_block_channels(64, 32, 24)
    assert s == {"naive": sum(inputs), "shared": out}
    # doubling L roughly quadruples the naive storage once L k dominates k0
    big = dense_block_stored_maps(1, 32, 96)["naive"] / dense_block_stored_maps(1, 32, 48)["naive"]
    assert 3.9 < big < 4.1


def test_conv2d_matches_scipy():
    from scipy.signal import correlate
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 7, 8)), rng.normal(size=(1, 2, 3, 3))
    ref = sum(correlate(x[c], w[0, c], mode="same") for c in range(2))
    assert np.allclose(conv2d(x, w)[0], ref)


def test_dilated_conv2d_equals_conv_with_zero_stuffed_kernel():
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=(1, 12, 12)), rng.normal(size=(1, 1, 3, 3))
    big = np.zeros((1, 1, 5, 5))
    big[..., ::2, ::2] = w                              # rate 2: holes between the taps
    assert np.allclose(conv2d(x, w, dilation=2), conv2d(x, big))


# ---------------------------------------------------------------- upsampling

@pytest.mark.parametrize("factor", [2, 3, 4, 8])
def test_bilinear_matches_skimage_resize(factor):
    from skimage.transform import resize
    x = np.random.default_rng(5).normal(size=(5, 7))
    ref = resize(x, (5 * factor, 7 * factor), order=1, mode="edge", anti_aliasing=False)
    assert np.allclose(bilinear_upsample(x, factor), ref)


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_transposed_conv_with_bilinear_kernel_is_bilinear_inside(factor):
    x = np.random.default_rng(6).normal(size=(6, 7))
    pad = (factor - 1 + 1) // 2                         # ceil((f - 1) / 2)
    up = transposed_conv2d(x, bilinear_kernel(factor), factor, pad)
    ref = bilinear_upsample(x, factor)
    assert up.shape == ref.shape
    f = factor
    assert np.allclose(up[f:-f, f:-f], ref[f:-f, f:-f])  # borders differ: zero padding vs clamping


def test_transposed_conv_output_size():
    out = transposed_conv2d(np.ones((5, 5)), np.ones((4, 4)), stride=2, padding=1)
    assert out.shape == ((5 - 1) * 2 + 4 - 2,) * 2


def test_overlap_counts_show_the_checkerboard():
    assert overlap_count(4, 3, 2).tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 1]
    inner = overlap_count(6, 4, 2)[2:-2]
    assert set(inner.tolist()) == {2}                   # kernel divisible by stride: even overlap


# ---------------------------------------------------------------- ASPP

def test_aspp_branch_receptive_fields():
    rows = aspp_branch_table((0, 12, 24, 36))
    base = rows[0]["backbone_rf"]
    for row in rows:
        assert row["jump"] == 8
        assert row["rf"] == base + (row["effective_kernel"] - 1) * row["jump"]


def test_aspp_on_text_backbone():
    rows = aspp_branch_table((6,), backbone="conv3 s2 p1 x4")
    assert rows[0]["backbone_rf"] == 31 and rows[0]["jump"] == 16 and rows[0]["rf"] == 31 + 12 * 16


def test_valid_taps_histogram():
    h = valid_taps(65, 1)
    assert h.sum() == pytest.approx(1.0)
    assert h[9] == pytest.approx((63 / 65) ** 2)        # only the border ring loses taps
    # rate 64 on a 65-wide map: along each axis only the two end positions keep a second tap
    assert valid_taps(65, 64)[1] == pytest.approx((63 / 65) ** 2)
    assert valid_taps(65, 64)[9] == 0.0


@pytest.mark.parametrize("call, exc, words", [
    (lambda: confusion_matrix(np.zeros(3, int), np.zeros(4, int), 2), ValueError, "same shape"),
    (lambda: confusion_matrix(np.array([0, 5]), np.array([0, 1]), 2), ValueError, "y_true labels must be in"),
    (lambda: confusion_matrix(np.array([0, 1]), np.array([0, -1]), 2), ValueError, "y_pred labels must be in"),
    (lambda: confusion_matrix(np.array([0.0, 1.0]), np.array([0, 1]), 2), TypeError, "y_true must be an integer"),
    (lambda: confusion_matrix("ab", np.array([0, 1]), 2), TypeError, "y_true must be an integer"),
    (lambda: confusion_matrix(np.array([0]), np.array([0]), 0), ValueError, "num_classes must be in"),
    (lambda: pixel_accuracy(np.zeros((2, 2))), ValueError, "no labelled pixels"),
    (lambda: mean_iou(np.zeros((2, 2))), ValueError, "no labelled pixels"),
    (lambda: mean_iou(np.ones((2, 3))), ValueError, "conf must be a square"),
    (lambda: mean_iou(-np.ones((2, 2))), ValueError, "non-negative"),
    (lambda: dense_block_connections(0), ValueError, "num_layers must be in"),
    (lambda: dense_block_channels(3, 2.5, 4), TypeError, "growth_rate must be an integer"),
    (lambda: transition_channels(10, 0.0), ValueError, "compression must be in"),
    (lambda: bilinear_upsample(np.ones(3), 2), ValueError, "x must have 2 dimension"),
    (lambda: bilinear_upsample(np.ones((2, 2)), 0), ValueError, "factor must be in"),
    (lambda: transposed_conv2d(np.ones((2, 2)), np.ones((2, 2)), 2, 5), ValueError, "crops the whole"),
    (lambda: conv2d(np.ones((2, 4, 4)), np.ones((1, 3, 3, 3))), ValueError, "input channels"),
    (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 2, 2))), ValueError, "odd spatial size"),
    (lambda: valid_taps(65, 0), ValueError, "rate must be in"),
    (lambda: aspp_branch_table((-1,)), ValueError, "rates must be in"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# ---------------------------------------------------------------- the page

def test_deeplab_numbers_on_both_pages():
    # The lineage table quotes the papers; the chart draws DEEPLAB_LINEAGE: they must agree.
    from dlnotes.segmentation import DEEPLAB_LINEAGE
    from tests.claims import DOCS
    for lang in ("en", "zh"):
        text = (DOCS / lang / "cnn/segmentation.md").read_text(encoding="utf-8")
        for row in DEEPLAB_LINEAGE:
            assert f"{row['voc_test_miou']:.1f} %" in text
            if row["extra_miou"]:
                assert f"{row['extra_miou']:.1f} %" in text


def _bg_conf():
    t = np.zeros((100, 100), int)
    t[45:55, 45:55] = 1
    return confusion_matrix(t, np.zeros_like(t), 2)


def _aspp(rate):
    return next(r for r in aspp_branch_table((0, 12, 24, 36)) if r["rate"] == rate)


PAGE = "cnn/segmentation.md"
def arxiv_month(arxiv_id):
    """Months since 2000 of an arXiv identifier YYMM.NNNNN (its first-version month)."""
    yymm = arxiv_id.split(".")[0]
    return 12 * int(yymm[:2]) + int(yymm[2:])


CLAIMS = [
    Claim(PAGE, lambda: arxiv_month("1511.07122") - arxiv_month("1412.7062"), "{}",
          en="Yu & Koltun's \"dilated convolutions\" came 11 months later", zh="晚了 11 个月"),
    Claim(PAGE, lambda: pixel_accuracy(_bg_conf()), "{:.2f}",
          en="scores 0.99 accuracy when the model predicts background everywhere",
          zh="准确率为 0.99"),
    Claim(PAGE, lambda: mean_iou(_bg_conf()), "{:.3f}",
          en="but its mIoU is 0.495", zh="mIoU 却只有 0.495"),
    Claim(PAGE, lambda: dense_block_channels(64, 32, 6)[1], "{}",
          en="thus ends with 256 channels", zh="输出 256 个通道"),
    Claim(PAGE, lambda: transition_channels(256, 0.5), "{}",
          en="its transition keeps 128", zh="过渡层后剩 128 个"),
    Claim(PAGE, lambda: dense_block_stored_maps(64, 32, 24)["naive"], "{}",
          en="the naive implementation holds 10368 maps", zh="朴素实现要保存 10368 张特征图"),
    Claim(PAGE, lambda: dense_block_stored_maps(64, 32, 24)["shared"], "{}",
          en="where 832 would do", zh="而 832 张就够了"),
    Claim(PAGE, lambda: dense_block_stored_maps(64, 32, 24)["naive"], "{}",
          en="(10368 vs 832 maps for a 24-layer block above)", zh="（上文 24 层的块是 10368 张对 832 张）"),
    Claim(PAGE, lambda: 100 * valid_taps(65, 18)[9], "{:.1f}",
          en="all nine taps inside the map at only 19.9 % of the positions",
          zh="只在 19.9 % 的位置上九个采样点全部落在图内"),
    Claim(PAGE, lambda: 2 * 18 + 1, "{}", en="so rate 18 spans 37 cells", zh="所以空洞率 18 跨越 37 格"),
    Claim(PAGE, lambda: len(dense_block_connections(5)), "{}",
          en="15 connections for 5 layers instead of 5", zh="5 层有 15 条连接而不是 5 条"),
    Claim(PAGE, lambda: _aspp(0)["rf"], "{}", en="| 1×1 conv | — | 1 | 8 | 971 |", zh="| 1×1 卷积 | — | 1 | 8 | 971 |"),
] + [
    Claim(PAGE, (lambda r=r: "{effective_kernel} | {jump} | {rf}".format(**_aspp(r))), "{}",
          en=f"| 3×3 atrous | {r} | {2 * r + 1} | 8 | {_aspp(r)['rf']} |",
          zh=f"| 3×3 空洞卷积 | {r} | {2 * r + 1} | 8 | {_aspp(r)['rf']} |")
    for r in (12, 24, 36)
]
test_claims = claims_test(CLAIMS)
