"""Tests for dlnotes.cnn_cost: hand counts, a brute-force convolution that counts its own
multiplications, published totals (papers and torchvision's model metadata), the parser
extension, bad input, and the claims of the cnn-blocks page."""
import math

import numpy as np
import pytest

from dlnotes import receptive_field as rfmod
from dlnotes.cnn_cost import (PRESETS, block_costs, conv_macs, conv_params, cost_table, count, resnet_text,
                              se_params, separable_ratio, totals)
from tests.claims import Claim, claims_test


# ------------------------------------------------------------ an independent reference
def brute_conv(x, w, stride=1, padding=0, groups=1):
    """Naive grouped 2-D convolution (cross-correlation, PyTorch layout) that counts multiplications.

    x: (C_in, H, W); w: (C_out, C_in/groups, k, k). Returns (y, number of multiply-adds).
    """
    c_in, h, wd = x.shape
    c_out, cg, k, _ = w.shape
    assert cg * groups == c_in
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - k) // stride + 1
    wo = (wd + 2 * padding - k) // stride + 1
    y, macs, per_group = np.zeros((c_out, ho, wo)), 0, c_out // groups
    for o in range(c_out):
        g = o // per_group
        for i in range(ho):
            for j in range(wo):
                patch = xp[g * cg:(g + 1) * cg, i * stride:i * stride + k, j * stride:j * stride + k]
                y[o, i, j] = float((patch * w[o]).sum())
                macs += patch.size                    # one multiply (and one add) per weight
    return y, macs


@pytest.mark.parametrize("k, c_in, c_out, groups, size, stride, padding", [
    (3, 4, 6, 1, 7, 1, 1), (1, 6, 4, 1, 5, 1, 0), (3, 4, 4, 4, 6, 2, 1), (3, 6, 9, 3, 5, 1, 0), (5, 2, 2, 2, 9, 2, 2),
])
def test_formulas_match_a_brute_force_convolution(k, c_in, c_out, groups, size, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(c_in, size, size))
    w = rng.normal(size=(c_out, c_in // groups, k, k))
    y, macs = brute_conv(x, w, stride, padding, groups)
    assert w.size == conv_params(k, c_in, c_out, groups)
    assert macs == conv_macs(k, c_in, c_out, y.shape[1], y.shape[2], groups)
    text = f"conv{k} s{stride} p{padding} c{c_out} g{groups}; bn"
    row = count(text, size=size, channels=c_in)[0]
    assert (row.params, row.macs, row.size, row.c_out) == (w.size, macs, y.shape[1], c_out)


def test_depthwise_then_pointwise_equals_a_separable_filter():
    """A full conv whose kernel is w_pw[o, c] * w_dw[c] gives the same output as dw then pw."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6, 6))
    w_dw, w_pw = rng.normal(size=(4, 1, 3, 3)), rng.normal(size=(5, 4, 1, 1))
    y_dw, m_dw = brute_conv(x, w_dw, padding=1, groups=4)
    y_sep, m_pw = brute_conv(y_dw, w_pw)
    w_full = w_pw[:, :, 0, 0, None, None] * w_dw[None, :, 0]          # (5, 4, 3, 3)
    y_full, m_full = brute_conv(x, w_full, padding=1)
    assert np.allclose(y_sep, y_full)
    assert math.isclose((m_dw + m_pw) / m_full, separable_ratio(3, 5))


# ------------------------------------------------------------ hand counts
def test_hand_counts():
    assert conv_params(3, 64, 64) == 36_864                     # 9 * 64 * 64
    assert conv_params(3, 64, 64, bias=True) == 36_928
    assert conv_params(1, 256, 64) == 16_384
    assert conv_params(3, 256, 256, groups=32) == 18_432       # 9 * 8 * 256
    assert conv_params(3, 256, 256, groups=256) == 2_304       # depthwise: 9 * 256
    assert conv_macs(3, 64, 64, 56) == 36_864 * 56 * 56
    assert block_costs(64, 56, "basic") == (73_728, 73_728 * 3136)
    assert block_costs(64, 56, "bottleneck") == (69_632, 69_632 * 3136)   # 16384 + 36864 + 16384
    assert se_params(256, 16) == 8_192 and se_params(256, 16, bias=True) == 8_192 + 16 + 256
    assert math.isclose(separable_ratio(3, 512), 1 / 512 + 1 / 9)


def test_counter_rows_by_hand():
    rows = count("conv3 p1 c16; relu; pool2; conv3 p1 c32; bn; (conv3 p1; bn; relu; conv3 p1; bn; sc) x2",
                 size=8)
    r = {x.index: x for x in rows}
    assert (r[1].params, r[1].macs) == (3 * 9 * 16 + 16, 3 * 9 * 16 * 64)          # has a bias: no bn after
    assert (r[3].size, r[3].c_out, r[3].params) == (4, 16, 0)                        # pool halves the map
    assert (r[4].params, r[4].macs) == (16 * 9 * 32, 16 * 9 * 32 * 16)               # bn follows: no bias
    assert r[5].params == 64                                                         # bn: 2 per channel
    assert rows[-1].text == "sc (identity)" and rows[-1].params == 0
    assert [x.rf for x in rows] == [x.rf_text for x in rfmod.analyze(
        "conv3 p1; relu; pool2; conv3 p1; bn; (conv3 p1; bn; relu; conv3 p1; bn; id) x2")]


def test_projection_shortcut_by_hand():
    rows = count("(conv3 s2 p1 c128; bn; relu; conv3 p1; bn; sc)", size=56, channels=64)
    sc = rows[-1]
    assert sc.text == "sc (1x1 projection)"
    assert (sc.params, sc.macs) == (64 * 128 + 2 * 128, 64 * 128 * 28 * 28)


def test_cost_table_sums_match():
    rows = count(PRESETS["mobilenet-v1"])
    table = cost_table(rows, stages=True)
    assert "4,231,976" in table and "568,740,352" in table
    assert table.splitlines()[1].startswith("stem")


# ------------------------------------------------------------ published totals
# torchvision's model metadata ("num_params", exact), and the papers' rounded numbers
TORCHVISION_PARAMS = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50-v1.5": 25_557_032,
                      "resnet101-v1": 44_549_160, "resnet152-v1": 60_192_808, "resnext50-32x4d": 25_028_904}


@pytest.mark.parametrize("name, params", TORCHVISION_PARAMS.items())
def test_resnet_parameters_equal_torchvision_exactly(name, params):
    assert totals(count(PRESETS[name]))[0] == params


def test_resnet50_against_the_papers():
    p1, m1 = totals(count(PRESETS["resnet50-v1"]))
    p15, m15 = totals(count(PRESETS["resnet50-v1.5"]))
    assert p1 == p15                                         # moving a stride changes no weight
    assert abs(p1 / 25.6e6 - 1) < 0.01 and abs(p1 / 25.5e6 - 1) < 0.01   # torchvision docs; ResNeXt table 1
    assert abs(m1 / 3.8e9 - 1) < 0.02                        # He et al. table 1: 3.8e9 multiply-adds
    assert round(m1 / 1e9, 2) == 3.86                        # Hu et al. (SENet) table 2: 3.86 GFLOPs
    assert round(m15 / 1e9, 2) == 4.09                       # torchvision ResNet50_Weights: 4.09 GFLOPS
    assert abs(m15 / 4.1e9 - 1) < 0.01                       # ResNeXt table 1: 4.1e9 FLOPs


def test_resnext50_against_the_paper():
    params, macs = totals(count(PRESETS["resnext50-32x4d"]))
    assert round(params / 1e6, 1) == 25.0 and round(macs / 1e9, 1) == 4.2      # Xie et al. table 1
    assert round(macs / 1e9, 2) == 4.23                                       # torchvision: 4.23 GFLOPS


def test_inception_3a_by_hand_and_against_table1():
    from dlnotes.cnn_cost import inception_costs
    a = inception_costs(192, 28, 64, 96, 128, 16, 32, 32)
    assert a == {"1x1": 12_288, "3x3": 18_432 + 110_592, "5x5": 3_072 + 12_800, "pool": 6_144, "total": 163_328}
    assert round(a["total"] * 28 * 28 / 1e6) == 128                           # Szegedy et al. table 1: 128M ops
    b = inception_costs(192, 28, 64, 96, 128, 16, 32, 32, reduce=False)
    assert b["5x5"] == 25 * 192 * 32 and b["3x3"] == 9 * 192 * 128


@pytest.mark.parametrize("depth, gflops", [(18, 1.8), (34, 3.6), (50, 3.8), (101, 7.6), (152, 11.3)])
def test_resnet_table1_flops_are_multiply_adds(depth, gflops):
    """He et al. table 1; as twice the count (true FLOPs) every entry would be off by 2x."""
    macs = totals(count(resnet_text(depth)))[1]
    assert abs(macs / (gflops * 1e9) - 1) < 0.02
    assert abs(2 * macs / (gflops * 1e9) - 1) > 0.9


def test_mobilenet_v1_against_the_paper():
    rows = count(PRESETS["mobilenet-v1"])
    params, macs = totals(rows)
    assert abs(params / 4.2e6 - 1) < 0.01
    assert round(macs / 1e6) == 569                          # Howard et al. tables 4, 6, 7: 569 mult-adds
    no_bn = params - sum(r.params for r in rows if r.text == "bn")
    assert no_bn == 4_210_088 and abs(no_bn / 4.2e6 - 1) < 0.01
    # Howard et al. table 2: share of mult-adds and parameters by layer type
    share = _mobilenet_shares(rows)
    assert round(100 * share["1x1"][0], 2) == 94.86 and round(100 * share["1x1"][1], 2) == 74.59
    assert round(100 * share["dw"][0], 2) == 3.06 and round(100 * share["dw"][1], 2) == 1.06
    assert round(100 * share["fc"][1], 2) == 24.33


def _mobilenet_shares(rows):
    """Fractions of MACs and of weights (BN and the FC bias excluded) per layer type."""
    kinds = {"1x1": (0, 0), "dw": (0, 0), "full": (0, 0), "fc": (0, 0)}
    for r in rows:
        if not r.text.startswith("conv"):
            continue
        kind = "fc" if r.c_out == 1000 else "dw" if " g" in r.text else "1x1" if r.text.startswith("conv1") else "full"
        w = r.macs // (r.size * r.size)
        m, p = kinds[kind]
        kinds[kind] = (m + r.macs, p + w)
    tm, tp = sum(m for m, _ in kinds.values()), sum(p for _, p in kinds.values())
    return {k: (m / tm, p / tp) for k, (m, p) in kinds.items()}


def test_counter_receptive_fields_agree_with_the_rf_presets():
    for cost_name, rf_name in [("resnet50-v1", "resnet50-v1"), ("resnet50-v1.5", "resnet50-v1.5")]:
        rows = count(PRESETS[cost_name])
        last_conv = [r for r in rows if r.stage == "conv5_x"][-1]
        assert last_conv.rf == rfmod.analyze(rfmod.PRESETS[rf_name])[-1].rf_text
        assert last_conv.jump == "32" and last_conv.size == 7 and last_conv.c_out == 2048


def test_resnet_shortcuts_projection_only_where_the_shape_changes():
    rows = count(PRESETS["resnet50-v1"])
    kinds = [r.text for r in rows if r.text.startswith("sc")]
    assert kinds.count("sc (1x1 projection)") == 4 and kinds.count("sc (identity)") == 12


# ------------------------------------------------------------ the parser extension stays compatible
def test_parser_extension():
    lay = rfmod.parse("conv3 p1 c64 g32")[0]
    assert (lay.channels, lay.groups, lay.text) == (64, 32, "conv3 p1 c64 g32")
    assert rfmod.parse("conv3 p1 c64")[0] != rfmod.parse("conv3 p1")[0]
    assert repr(rfmod.parse("conv3 p1 c64")[0]) == repr(rfmod.parse("conv3 p1")[0])   # old repr kept
    layers = rfmod.parse("(conv1; bn; sc) x2; sc")
    assert [x.block for x in layers if x.word == "sc"] == [2, 2, 6]
    assert rfmod.analyze("conv3 p1 c64; sc")[-1].rf == rfmod.analyze("conv3 p1; id")[-1].rf


@pytest.mark.parametrize("text, token, words", [
    ("pool2 c3", "c3", "pool does not take option c"),
    ("conv3 c0", "c0", "channels must be at least 1"),
    ("conv3 g0", "g0", "groups must be at least 1"),
    ("relu c4", "c4", "relu does not take option c"),
    ("conv3 q1", "q1", "expected one of sN, pN, dN, cN, gN, xN"),
])
def test_parser_extension_errors(text, token, words):
    with pytest.raises(rfmod.ParseError, match=words) as info:
        rfmod.parse(text)
    assert info.value.token == token


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize("call, exc, words", [
    (lambda: conv_params(0, 3, 8), ValueError, "k must be"),
    (lambda: conv_params(3, 6, 8, groups=4), ValueError, "groups must divide"),
    (lambda: conv_params(3.0, 6, 8), TypeError, "k must be an integer"),
    (lambda: conv_macs(3, 4, 4, 0), ValueError, "h_out"),
    (lambda: separable_ratio(3, 0), ValueError, "c_out"),
    (lambda: block_costs(64, 56, "wide"), ValueError, "kind must be"),
    (lambda: se_params(100, 16), ValueError, "r must divide c"),
    (lambda: count("conv3 g2", channels=3), ValueError, "groups=2 must divide"),
    (lambda: count("conv3", size=0), ValueError, "size must be"),
    (lambda: count("conv3", channels=0), ValueError, "channels must be"),
    (lambda: count(["conv3"]), TypeError, "text must be"),
    (lambda: count("conv5", size=3), ValueError, "too short"),
    (lambda: count("(tconv2 s2 c8; sc)", size=10), ValueError, "cannot match"),
    (lambda: resnet_text(42), ValueError, "depth must be one of"),
    (lambda: rfmod.check_layer(rfmod.Layer("pool", 2, 2, channels=4)), ValueError, "only conv and tconv"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# ------------------------------------------------------------ claims of the page
P = "architectures/cnn-blocks.md"


def _t(name):
    return totals(count(PRESETS[name]))


def _stage_share(name, stage, which):
    rows = count(PRESETS[name])
    tot = totals(rows)[which]
    return 100 * sum((r.params, r.macs)[which] for r in rows if r.stage == stage) / tot


def _mn_share(kind, which):
    from tests.test_cnn_cost import _mobilenet_shares
    return 100 * _mobilenet_shares(count(PRESETS["mobilenet-v1"]))[kind][which]


def _se_resnet50(stages=(0, 1, 2, 3)):
    return sum(n * se_params(c, 16) for i, (n, c) in enumerate(zip((3, 4, 6, 3), (256, 512, 1024, 2048)))
               if i in stages)


def _inc(key, reduce=True):
    from dlnotes.cnn_cost import inception_costs
    return inception_costs(192, 28, 64, 96, 128, 16, 32, 32, reduce=reduce)[key]


def _layer_kind_macs(i):
    from scripts.figures.cnn_cost import layer_kinds
    return layer_kinds()[i][2] / 1e6


CLAIMS = [
    # 8 from N = 128 channels on, approaching 9 = k^2 as N grows
    Claim(P, lambda: 1 / separable_ratio(3, 128), "{:.0f}", en="8 to 9 times less for 3×3", zh="3×3 时少 8～9 倍"),
    Claim(P, lambda: 1 / separable_ratio(3, 10**5), "{:.0f}", en="8 to 9 times less for 3×3", zh="3×3 时少 8～9 倍"),
    Claim(P, lambda: 100 * _se_resnet50() / _t("resnet50-v1")[0], "{:.0f}",
          en="for about 10 % more parameters", zh="参数多约 10 %"),
    Claim(P, lambda: conv_params(3, 256, 256), "{:,}",
          en="has 589,824 weights and costs 1.85 G multiply-adds", zh="有 589,824 个权重，要 1.85 G 次乘加"),
    Claim(P, lambda: conv_macs(3, 256, 256, 56) / 1e9, "{:.2f}",
          en="has 589,824 weights and costs 1.85 G multiply-adds", zh="有 589,824 个权重，要 1.85 G 次乘加"),
    Claim(P, lambda: 100 * conv_macs(3, 256, 256, 56) / _t("resnet50-v1")[1], "{:.0f}",
          en="48 % of a whole ResNet-50 (v1) forward pass", zh="相当于整个 ResNet-50（v1）前向计算的 48 %"),
    Claim(P, lambda: conv_params(3, 256, 256, groups=32), "{:,}",
          en="with 32 groups has 18,432 weights instead of 589,824", zh="分 32 组的 3×3 卷积只有 18,432 个权重"),
    Claim(P, lambda: separable_ratio(3, 256), "{:.4f}",
          en="the ratio is 0.1150, 8.7 times fewer multiply-adds", zh="比值为 0.1150，乘加次数少 8.7 倍"),
    Claim(P, lambda: 1 / separable_ratio(3, 256), "{:.1f}",
          en="the ratio is 0.1150, 8.7 times fewer multiply-adds", zh="比值为 0.1150，乘加次数少 8.7 倍"),
    Claim(P, lambda: _mn_share("1x1", 0), "{:.2f}",
          en="94.86 % of the multiply-adds and 74.59 % of the parameters", zh="94.86 % 的乘加和 74.59 % 的参数"),
    Claim(P, lambda: _mn_share("1x1", 1), "{:.2f}",
          en="94.86 % of the multiply-adds and 74.59 % of the parameters", zh="94.86 % 的乘加和 74.59 % 的参数"),
    Claim(P, lambda: _mn_share("fc", 1), "{:.2f}",
          en="holds 24.33 % of the parameters", zh="占 24.33 % 的参数"),
    Claim(P, lambda: block_costs(64, 56, "basic")[0], "{:,}",
          en="3×3, 64→64; 3×3, 64→64 | 73,728 | 231 M", zh="3×3，64→64；3×3，64→64 | 73,728 | 231 M"),
    Claim(P, lambda: block_costs(64, 56, "basic")[1] / 1e6, "{:.0f}",
          en="3×3, 64→64; 3×3, 64→64 | 73,728 | 231 M", zh="3×3，64→64；3×3，64→64 | 73,728 | 231 M"),
    Claim(P, lambda: block_costs(64, 56)[0], "{:,}",
          en="1×1, 64→256 | 69,632 | 218 M", zh="1×1，64→256 | 69,632 | 218 M"),
    Claim(P, lambda: block_costs(64, 56)[1] / 1e6, "{:.0f}",
          en="1×1, 64→256 | 69,632 | 218 M", zh="1×1，64→256 | 69,632 | 218 M"),
    Claim(P, lambda: _t("resnet50-v1")[1] / 1e9, "{:.2f}",
          en="(3.86 vs 3.66 G multiply-adds here", zh="这里算出 3.86 G 对 3.66 G 次乘加"),
    Claim(P, lambda: _t("resnet34")[1] / 1e9, "{:.2f}",
          en="(3.86 vs 3.66 G multiply-adds here", zh="这里算出 3.86 G 对 3.66 G 次乘加"),
    Claim(P, lambda: sum(r.text == "sc (1x1 projection)" for r in count(PRESETS["resnet50-v1"])), "{}",
          en="ResNet-50 has 4 projections and 12 identity shortcuts", zh="ResNet-50 有 4 个投影捷径和 12 个恒等捷径"),
    Claim(P, lambda: sum(r.text == "sc (identity)" for r in count(PRESETS["resnet50-v1"])), "{}",
          en="ResNet-50 has 4 projections and 12 identity shortcuts", zh="ResNet-50 有 4 个投影捷径和 12 个恒等捷径"),
    Claim(P, lambda: _inc("5x5", False), "{:,}",
          en="the 5×5 branch drops from 153,600 to 15,872 weights, 9.7 times less",
          zh="5×5 分支的权重从 153,600 降到 15,872，少 9.7 倍"),
    Claim(P, lambda: _inc("5x5"), "{:,}",
          en="the 5×5 branch drops from 153,600 to 15,872 weights, 9.7 times less",
          zh="5×5 分支的权重从 153,600 降到 15,872，少 9.7 倍"),
    Claim(P, lambda: _inc("5x5", False) / _inc("5x5"), "{:.1f}",
          en="the 5×5 branch drops from 153,600 to 15,872 weights, 9.7 times less",
          zh="5×5 分支的权重从 153,600 降到 15,872，少 9.7 倍"),
    Claim(P, lambda: _inc("total", False), "{:,}",
          en="from 393,216 to 163,328 weights, 128 M multiply-adds", zh="从 393,216 降到 163,328 个权重，乘加 128 M 次"),
    Claim(P, lambda: _inc("total"), "{:,}",
          en="from 393,216 to 163,328 weights, 128 M multiply-adds", zh="从 393,216 降到 163,328 个权重，乘加 128 M 次"),
    Claim(P, lambda: _inc("total") * 28 * 28 / 1e6, "{:.0f}",
          en="from 393,216 to 163,328 weights, 128 M multiply-adds", zh="从 393,216 降到 163,328 个权重，乘加 128 M 次"),
    Claim(P, lambda: _se_resnet50(), "{:,}",
          en="2,514,944 weights, 9.8 % of ResNet-50's parameters", zh="共 2,514,944 个权重，为 ResNet-50 参数量的 9.8 %"),
    Claim(P, lambda: 100 * _se_resnet50() / _t("resnet50-v1")[0], "{:.1f}",
          en="2,514,944 weights, 9.8 % of ResNet-50's parameters", zh="共 2,514,944 个权重，为 ResNet-50 参数量的 9.8 %"),
    Claim(P, lambda: conv_params(3, 3, 32), "{}",
          en="the stem has \\(3\\cdot3\\cdot3\\cdot32 = 864\\) weights", zh="stem 有 \\(3\\cdot3\\cdot3\\cdot32 = 864\\) 个权重"),
    Claim(P, lambda: conv_params(3, 32, 32, groups=32), "{}",
          en="the depthwise layer \\(9\\cdot32 = 288\\)", zh="逐通道层 \\(9\\cdot32 = 288\\)"),
    Claim(P, lambda: _t("resnet50-v1")[0], "{:,}",
          en="ResNet-50 has exactly torchvision's 25,557,032 parameters (25.6 M)",
          zh="ResNet-50 的参数量正好是 torchvision 的 25,557,032（25.6 M）"),
    Claim(P, lambda: _t("resnet50-v1")[0] / 1e6, "{:.1f}",
          en="ResNet-50 has exactly torchvision's 25,557,032 parameters (25.6 M)",
          zh="ResNet-50 的参数量正好是 torchvision 的 25,557,032（25.6 M）"),
    Claim(P, lambda: _t("resnet50-v1")[1] / 1e9, "{:.2f}",
          en="its multiply-adds are 3.86 G for v1", zh="乘加次数 v1（步长在第一个 1×1，与论文相同）为 3.86 G"),
    Claim(P, lambda: _t("resnet50-v1.5")[1] / 1e9, "{:.2f}",
          en="and 4.09 G for torchvision's v1.5", zh="torchvision 的 v1.5（步长在 3×3）为 4.09 G"),
    Claim(P, lambda: _t("mobilenet-v1")[0], "{:,}",
          en="MobileNet v1 has 4,231,976 parameters with BatchNorm (4,210,088 without",
          zh="MobileNet v1 含 BatchNorm 有 4,231,976 个参数（不含为 4,210,088"),
    Claim(P, lambda: _t("mobilenet-v1")[0] - sum(r.params for r in count(PRESETS["mobilenet-v1"]) if r.text == "bn"),
          "{:,}", en="MobileNet v1 has 4,231,976 parameters with BatchNorm (4,210,088 without",
          zh="MobileNet v1 含 BatchNorm 有 4,231,976 个参数（不含为 4,210,088"),
    Claim(P, lambda: _t("mobilenet-v1")[1] / 1e6, "{:.0f}",
          en="and 569 M multiply-adds, the paper's number", zh="乘加 569 M 次，与论文相同"),
    Claim(P, lambda: [r for r in count(PRESETS["resnet50-v1"]) if r.stage == "conv5_x"][-1].rf, "{}",
          en="(483 pixels for v1, 427 for v1.5)", zh="（v1 为 483 像素，v1.5 为 427）"),
    Claim(P, lambda: [r for r in count(PRESETS["resnet50-v1.5"]) if r.stage == "conv5_x"][-1].rf, "{}",
          en="(483 pixels for v1, 427 for v1.5)", zh="（v1 为 483 像素，v1.5 为 427）"),
    Claim(P, lambda: count(PRESETS["resnet50-v1"])[-1].rf, "{}",
          en="the head's 7×7 average pool makes it 675", zh="头部的 7×7 平均池化让它变成 675"),
    Claim(P, lambda: _layer_kind_macs(0), "{:.0f}", en="full 3x3 1850 M", zh="普通 3×3 1850 M"),
    Claim(P, lambda: _layer_kind_macs(1), "{:.0f}", en="grouped 3x3 with 32 groups 58 M", zh="32 组 3×3 58 M"),
    Claim(P, lambda: _layer_kind_macs(2), "{:.0f}", en="pointwise 1x1 206 M", zh="1×1 逐点 206 M"),
    Claim(P, lambda: _layer_kind_macs(3), "{:.0f}", en="depthwise 3x3 7 M", zh="3×3 逐通道 7 M"),
    Claim(P, lambda: _layer_kind_macs(4), "{:.0f}", en="depthwise plus pointwise 213 M", zh="逐通道加逐点 213 M"),
    Claim(P, lambda: _layer_kind_macs(2) / _layer_kind_macs(3), "{:.0f}",
          en="the 1×1 that follows it costs 28 times more", zh="紧随其后的 1×1 要贵 28 倍"),
    Claim(P, lambda: _stage_share("resnet50-v1", "conv5_x", 0), "{:.0f}",
          en="conv5_x holds 59 % of ResNet-50's parameters and 19 % of its multiply-adds, conv2_x 1 % and 17 %",
          zh="conv5_x 占 ResNet-50 参数的 59 %、乘加的 19 %，conv2_x 只占 1 % 和 17 %"),
    Claim(P, lambda: _stage_share("resnet50-v1", "conv5_x", 1), "{:.0f}",
          en="conv5_x holds 59 % of ResNet-50's parameters and 19 % of its multiply-adds, conv2_x 1 % and 17 %",
          zh="conv5_x 占 ResNet-50 参数的 59 %、乘加的 19 %，conv2_x 只占 1 % 和 17 %"),
    Claim(P, lambda: _stage_share("resnet50-v1", "conv2_x", 0), "{:.0f}",
          en="conv5_x holds 59 % of ResNet-50's parameters and 19 % of its multiply-adds, conv2_x 1 % and 17 %",
          zh="conv5_x 占 ResNet-50 参数的 59 %、乘加的 19 %，conv2_x 只占 1 % 和 17 %"),
    Claim(P, lambda: _stage_share("resnet50-v1", "conv2_x", 1), "{:.0f}",
          en="conv5_x holds 59 % of ResNet-50's parameters and 19 % of its multiply-adds, conv2_x 1 % and 17 %",
          zh="conv5_x 占 ResNet-50 参数的 59 %、乘加的 19 %，conv2_x 只占 1 % 和 17 %"),
    Claim(P, lambda: _stage_share("resnet50-v1", "conv4_x", 1), "{:.0f}",
          en="multiply-adds are spread from 17 to 36 percent", zh="分布于 17% 到 36%"),
    Claim(P, lambda: _stage_share("resnet50-v1", "head", 0), "{:.0f}",
          en="head has 8 percent of the parameters", zh="全连接头部占 8% 的参数"),
    Claim(P, lambda: 2 * _t("resnet50-v1")[1] / 1e9, "{:.1f}",
          en="3.86 G multiply-adds for ResNet-50 v1; twice that, 7.7 G", zh="ResNet-50 v1 为 3.86 G 次乘加；它的两倍 7.7 G"),
    Claim(P, lambda: 1 / separable_ratio(3, 256), "{:.1f}",
          en="8.7 times fewer for \\(N = 256\\)", zh="\\(N = 256\\) 时少 8.7 倍"),
    Claim(P, lambda: _stage_share("resnet50-v1", "conv5_x", 0), "{:.0f}",
          en="conv5_x has 59 % of the parameters but 19 % of the multiply-adds",
          zh="conv5_x 占 59 % 的参数，却只占 19 % 的乘加"),
    Claim(P, lambda: _mn_share("fc", 0), "{:.2f}",
          en="24.33 % of the parameters and 0.18 % of the compute", zh="占 24.33 % 的参数、0.18 % 的计算"),
    Claim(P, lambda: _t("resnet50-v1.5")[1] / 1e9, "{:.2f}",
          en="raises the multiply-adds from 3.86 G to 4.09 G", zh="乘加次数却从 3.86 G 增加到 4.09 G"),
    Claim(P, lambda: 2 * conv_macs(3, 256, 256, 56) / 1e9, "{:.1f}",
          en="= 1.85 G multiply-adds, about 3.7 G floating-point operations", zh="= 1.85 G；若乘法和加法分开算，约 3.7 G"),
    Claim(P, lambda: conv_params(3, 256, 256, groups=256), "{:,}",
          en="With 32 groups: 18,432 weights; depthwise: 2,304.", zh="分 32 组：18,432 个权重；逐通道：2,304 个。"),
    Claim(P, lambda: block_costs(64, 56)[0], "{:,}",
          en="has 69,632 weights, fewer than the 73,728", zh="有 69,632 个权重，比 64 通道上两个 3×3 的基本块（73,728 个）"),
    Claim(P, lambda: _t("resnet50-v1.5")[0], "{:,}", en="both have 25,557,032", zh="都是 25,557,032"),
    Claim(P, lambda: _t("resnet50-v1.5")[1] / 1e9, "{:.2f}",
          en="so the multiply-adds rise from 3.86 G to 4.09 G", zh="所以乘加次数从 3.86 G 增加到 4.09 G"),
    Claim(P, lambda: [r for r in count(PRESETS["resnet50-v1.5"]) if r.stage == "conv5_x"][-1].rf, "{}",
          en="shrinks from 483 to 427 pixels", zh="从 483 缩小到 427 像素"),
    Claim(P, lambda: _t("resnext50-32x4d")[0] / 1e6, "{:.1f}",
          en="25.0 M parameters and 4.23 G multiply-adds, against 25.6 M and 4.09 G",
          zh="25.0 M 参数、4.23 G 次乘加，同样布局的 ResNet-50 为 25.6 M 和 4.09 G"),
    Claim(P, lambda: _t("resnext50-32x4d")[1] / 1e9, "{:.2f}",
          en="25.0 M parameters and 4.23 G multiply-adds, against 25.6 M and 4.09 G",
          zh="25.0 M 参数、4.23 G 次乘加，同样布局的 ResNet-50 为 25.6 M 和 4.09 G"),
    Claim(P, lambda: _se_resnet50(), "{:,}",
          en="2,514,944 for ResNet-50 with \\(r = 16\\) (9.8 % more parameters)",
          zh="ResNet-50 取 \\(r = 16\\) 时共 2,514,944 个（参数多 9.8 %）"),
    Claim(P, lambda: 100 * _se_resnet50((3,)) / _se_resnet50(), "{:.0f}",
          en="The last stage holds 63 % of the added weights", zh="新增权重的 63 % 在最后一个阶段"),
    Claim(P, lambda: 100 * _se_resnet50((0, 1, 2)) / _t("resnet50-v1")[0], "{:.0f}",
          en="brings the overhead down to about 4 %", zh="把额外开销降到约 4 %"),
    Claim(P, lambda: _inc("5x5", False) / _inc("5x5"), "{:.1f}",
          en="cuts that branch from 153,600 to 15,872 weights, 9.7 times less",
          zh="这个分支的权重就从 153,600 降到 15,872，少 9.7 倍"),
]
test_claims = claims_test(CLAIMS)
