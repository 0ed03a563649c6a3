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
