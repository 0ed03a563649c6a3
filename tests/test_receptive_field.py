"""Tests for dlnotes.receptive_field, the in-browser calculator, and the numbers on the page."""
import numpy as np
import pytest

import itertools
import json
import shutil
import subprocess
from pathlib import Path

from dlnotes.receptive_field import (PRESETS, Layer, ParseError, analyze, closed_form, conv, effective_rf_profile,
                                     erf_std, hdc_distances, holes, impulse_support, output_sizes, parse, pool,
                                     same_padding, stage_table, support, taps, tconv)
from tests.claims import Claim, claims_test


def last(text, unit=0):
    return analyze(text, unit)[-1]


# ---------------------------------------------------------------------------
# Hand-worked cases
# ---------------------------------------------------------------------------
def test_stacked_3x3_convs_grow_by_two():
    assert [r.rf for r in analyze("conv3 p1 x4")] == [3, 5, 7, 9]
    assert [r.jump for r in analyze("conv3 p1 x4")] == [1, 1, 1, 1]


def test_stride_multiplies_the_growth():
    rows = analyze("conv3 p1; pool2 s2; conv3 p1; conv3 s2 p1; conv3 p1")
    assert [r.rf for r in rows] == [3, 4, 8, 12, 20]
    assert [int(r.jump) for r in rows] == [1, 2, 2, 4, 4]
    # unit u of the last layer sees [4u - P, 4u - P + 19] with P = 1 + 0 + 2 + 2 + 4 = 9
    r = last("conv3 p1; pool2 s2; conv3 p1; conv3 s2 p1; conv3 p1", unit=5)
    assert (r.padding, r.start, r.end, r.centre) == (9, 11, 30, 20.5)


def test_dilation_uses_the_effective_kernel():
    assert last("conv3 d2").rf == 5
    assert last("conv3 d2 p2; conv3 d4 p4").rf == 1 + 4 + 8
    assert last("conv5 d3").rf == 13


def test_transposed_conv_with_stride_dividing_kernel_is_uniform():
    r = last("tconv4 s2 p1")
    assert (r.rf_min, r.rf_max, r.uniform, r.jump, r.period, r.empty) == (2, 2, True, 0.5, 2, 0)


def test_transposed_conv_with_uneven_overlap_says_so():
    r = last("tconv3 s2 p1")
    assert (r.rf_min, r.rf_max, r.uniform) == (1, 2, False)
    assert [taps(parse("tconv3 s2 p1")[0], u) for u in range(4)] == [[0], [0, 1], [1], [1, 2]]
    with pytest.raises(ValueError, match="varies between 1 and 2"):
        _ = r.rf


def test_transposed_conv_can_leave_outputs_with_no_input():
    r = last("tconv1 s2")
    assert (r.empty, r.period) == (1, 2)
    assert last("tconv1 s2", unit=1).start is None
    assert support("tconv1 s2", unit=1) == []


def test_conv_after_two_upsamplings_becomes_uneven_even_when_stride_divides_kernel():
    # tconv2 s2 copies each input to two outputs, so neighbouring units share a field
    # and a 3-wide window covers either 2 or 3 distinct low-resolution fields.
    r = last("conv3 p1; tconv2 s2; tconv2 s2; conv3 p1")
    assert not r.uniform and (r.rf_min, r.rf_max) == (3, 4)


def test_presets_give_the_known_numbers():
    assert last(PRESETS["alexnet"]).rf == 195
    assert last(PRESETS["vgg16"]).rf == 212
    assert last(PRESETS["resnet50-v1"]).rf == 483
    assert last(PRESETS["resnet50-v1.5"]).rf == 427
    assert all(last(PRESETS[n]).jump == 32 for n in ("alexnet", "vgg16", "resnet50-v1", "resnet50-v1.5"))
    assert last(PRESETS["deeplabv3-backbone"]).jump == 8
    assert output_sizes(PRESETS["unet"], 572)[-1] == 388          # Ronneberger et al. 2015, Fig. 1
    assert output_sizes(PRESETS["vgg16"], 224)[-1] == 7
    assert output_sizes(PRESETS["resnet50-v1.5"], 224)[-1] == 7
    assert output_sizes(PRESETS["alexnet"], 224)[-1] == 6          # torchvision: 6x6 before the avgpool


def test_preset_layer_counts_match_the_architectures():
    def convs(name):
        return sum(layer.kind == "conv" for layer in parse(PRESETS[name]))
    assert convs("vgg16") == 13 and convs("alexnet") == 5
    assert convs("resnet50-v1") == 1 + 3 * 16 and convs("resnet50-v1.5") == 49
    assert convs("deeplabv3-backbone") == 1 + 3 * 33


def test_stage_table_keeps_the_last_row_of_each_stage():
    stages = [r.stage for r in stage_table(PRESETS["resnet50-v1"])]
    assert stages == ["stem", "conv2_x", "conv3_x", "conv4_x", "conv5_x"]


def test_closed_form_agrees_with_exact_propagation_on_conv_stacks():
    for name in ("alexnet", "vgg16", "resnet50-v1", "resnet50-v1.5", "deeplabv3-aspp24"):
        rows = analyze(PRESETS[name])
        assert [(r.rf, int(r.jump), r.padding) for r in rows] == closed_form(PRESETS[name])
    with pytest.raises(ValueError, match="tconv"):
        closed_form("tconv4 s2 p1")


def test_rows_work_as_mappings_too():
    r = last("conv3 s2")
    assert r["rf_max"] == r.rf_max == 3 and r["text"] == "conv3 s2" and r.jump_text == "2"
    assert last("tconv3 s2 p1; tconv3 s2 p1").jump_text == "1/4"
    assert last("tconv3 s2 p1").rf_text == "1–2"


# ---------------------------------------------------------------------------
# Dilated convolution: gridding and hybrid dilated convolution
# ---------------------------------------------------------------------------
def test_equal_rates_leave_holes_and_hdc_rates_do_not():
    assert holes("conv3 d2 p2 x3") == list(range(-5, 6, 2))            # only even offsets are read
    assert len(support("conv3 d2 p2 x3")) == 7 and last("conv3 d2 p2 x3").rf == 13
    assert holes("conv3 p1; conv3 d2 p2; conv3 d5 p5") == []              # Wang et al. 2018: [1, 2, 5]
    assert holes("conv3 p1; conv3 d2 p2; conv3 d9 p9") == [-5, -4, 4, 5]  # [1, 2, 9] fails
    assert holes("conv3 p1; conv3 d2 p2; conv3 d3 p3") == []


def dilated(rates, k=3):
    return "; ".join(f"conv{k} d{r} p{r * (k - 1) // 2}" for r in rates)


def test_hdc_distances_by_hand():
    # Wang et al. (2018): M_n = r_n, M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i)
    assert hdc_distances([1, 2, 5]) == [1, 2, 5]          # M_2 = max(1, -1, 2) = 2 <= 3
    assert hdc_distances([1, 2, 9]) == [3, 5, 9]          # M_2 = max(5, -5, 2) = 5 > 3
    assert hdc_distances([2, 2, 2]) == [2, 2, 2]          # passes M_2 <= 3 ...
    assert holes(dilated([2, 2, 2]))                      # ... but the common factor 2 leaves holes
    assert hdc_distances((1, 3)) == [1, 3]


def test_hdc_m_bounds_the_largest_gap_exactly_when_rates_grow():
    # Independent check: the gaps between the input positions that layers i..n really read.
    for n in (2, 3, 4):
        for rates in itertools.product(range(1, 7), repeat=n):
            m = hdc_distances(rates)
            for i in range(1, n):
                seen = support(dilated(rates[i:]))
                gap = max(b - a for a, b in zip(seen, seen[1:]))
                assert gap <= m[i], (rates, i)
                if list(rates[i:]) == sorted(rates[i:]):
                    assert gap == m[i], (rates, i)


@pytest.mark.parametrize("k", [3, 5])
def test_hdc_rule_with_first_rate_one_leaves_no_holes(k):
    passed = 0
    for n in (2, 3, 4):
        for rest in itertools.product(range(1, 10), repeat=n - 1):
            rates = (1,) + rest
            if hdc_distances(rates)[1] <= k:
                assert holes(dilated(rates, k)) == [], rates
                passed += 1
    assert passed > 100
    assert holes(dilated([1, 3, 1])) == [] and hdc_distances([1, 3, 1])[1] > 3   # sufficient, not necessary


def test_same_padding_matches_tensorflow():
    # TensorFlow "SAME": ceil(n/s) outputs, total padding max((ceil(n/s)-1) s + k_eff - n, 0), odd pixel right.
    assert same_padding(224, 3, 1) == (1, 1)              # stride 1, odd k: symmetric, like PyTorch p=1
    assert same_padding(112, 3, 2) == (0, 1)              # stride 2 on an even length: nothing on the left
    assert same_padding(161, 3, 2) == (1, 1)
    assert same_padding(10, 4, 1) == (1, 2) and same_padding(10, 1, 2) == (0, 0)
    assert same_padding(7, 3, 1, dilation=2) == (2, 2)
    for n in range(1, 40):
        for k in range(1, 6):
            for s in range(1, 4):
                left, right = same_padding(n, k, s)
                assert right - left in (0, 1)
                assert (n + left + right - k) // s + 1 == -(-n // s)       # the output length TF promises


def tfslim_resnet50_v1(n):
    """ResNet-50 v1 with TF-Slim's pool1 (3x3 s2 "SAME") for an n x n input; conv1 pads 3 explicitly."""
    after_conv1 = (n + 2 * 3 - 7) // 2 + 1
    left = same_padding(after_conv1, 3, 2)[0]
    return PRESETS["resnet50-v1"].replace("pool3 s2 p1", f"pool3 s2 p{left}")


def test_resnet50_v1_padding_depends_on_the_pool1_convention():
    # TF-Slim's published table (tensorflow/contrib/receptive_field/RECEPTIVE_FIELD_TABLE.md):
    # resnet_v1_50/block4: RF 483, effective stride 32, effective padding 239 at 224 px and 241 at 321 px.
    for n, padding in ((224, 239), (321, 241)):
        r = last(tfslim_resnet50_v1(n))
        assert (r.rf, r.jump, r.padding) == (483, 32, padding)
    # The released Caffe model: pool1 kernel 3 stride 2, no pad (ceil mode): the 224 px case.
    assert [r.padding for r in stage_table(caffe_resnet50_v1())] == [3, 15, 47, 143, 239]
    assert [r.padding for r in stage_table(PRESETS["resnet50-v1"])] == [5, 17, 49, 145, 241]
    assert [(r.rf, r.jump) for r in stage_table(caffe_resnet50_v1())] == \
        [(r.rf, r.jump) for r in stage_table(PRESETS["resnet50-v1"])]


def caffe_resnet50_v1():
    return PRESETS["resnet50-v1"].replace("pool3 s2 p1", "pool3 s2")


def test_vgg16_fc6_as_a_7x7_conv():
    r = last(PRESETS["vgg16"] + "; fc6: conv7")
    assert (r.rf, r.jump, r.padding) == (404, 32, 90)       # TF-Slim's pool5: 212 / 32 / 90, then + 6 * 32


def test_centre_formula_holds_for_the_presets_and_shortcuts_are_aligned():
    # Araujo et al. (2019): the centre u j - P + (r - 1) / 2 is well defined when every path into a
    # layer has the same jump and the same centre shift (r - 1) / 2 - P ("aligned").
    main = analyze(PRESETS["resnet50-v1.5"])
    conv3_in = main[10]                                      # input of conv3_1 (after conv2_x)
    block = analyze(PRESETS["resnet50-v1.5"].split(";\nconv3_x")[0] + "; conv1; conv3 s2 p1; conv1")[-1]
    shortcut = analyze(PRESETS["resnet50-v1.5"].split(";\nconv3_x")[0] + "; conv1 s2")[-1]
    assert conv3_in.stage == "conv2_x"
    assert block.jump == shortcut.jump == 8
    assert (block.rf - 1) / 2 - block.padding == (shortcut.rf - 1) / 2 - shortcut.padding
    # A 2x2 pool with stride 2 is not aligned with a 1x1 stride-2 shortcut: the centres differ by half a jump.
    pooled = analyze("conv3 p1; pool2")[-1]
    strided = analyze("conv3 p1; conv1 s2")[-1]
    assert pooled.jump == strided.jump
    assert (pooled.rf - 1) / 2 - pooled.padding != (strided.rf - 1) / 2 - strided.padding

# ---------------------------------------------------------------------------
# Formula vs an independent impulse propagation
# ---------------------------------------------------------------------------
def random_stack(rng):
    layers = []
    for _ in range(rng.integers(1, 7)):
        kind = rng.choice(["conv", "conv", "pool", "tconv", "tconv", "id"])
        k, s, d = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        if kind == "conv":
            layers.append(conv(k, s, int(rng.integers(0, d * (k - 1) + 1)), d))
        elif kind == "pool":
            layers.append(pool(k, s, int(rng.integers(0, k // 2 + 1))))
        elif kind == "tconv":
            layers.append(tconv(k, s, int(rng.integers(0, d * (k - 1) + 1)), d, int(rng.integers(0, max(s, d)))))
        else:
            layers.append(Layer("id"))
    return layers


def check_against_impulses(layers, n):
    emp = impulse_support(layers, n, seed=1)
    assert emp.shape[0] == output_sizes(layers, n)[-1], "output length differs from the formula"
    interior = 0
    for o in range(emp.shape[0]):
        seen = np.flatnonzero(emp[o]).tolist()
        assert seen == support(layers, o, n=n), f"unit {o}"      # borders clip the field
        exact, r = support(layers, o), last(layers, o)            # infinite line: no borders
        assert (r.start, r.end) == ((exact[0], exact[-1]) if exact else (None, None))
        if seen == exact:                                         # a unit away from the borders
            assert (r.start, r.end) == ((seen[0], seen[-1]) if seen else (None, None))
            interior += 1
    return interior


def test_formulas_match_impulses_on_hundreds_of_random_stacks():
    rng = np.random.default_rng(2024)
    checked = interior = 0
    while checked < 300:
        layers = random_stack(rng)
        n = int(rng.integers(12, 48))
        try:
            output_sizes(layers, n)
        except ValueError:
            continue                                  # input too short for this stack: draw again
        interior += check_against_impulses(layers, n)
        # rf_min / rf_max are the extremes over all units (the period covers every case)
        r = last(layers)
        spans = [len(range(s[0], s[-1] + 1)) for u in range(-2 * r.period, 3 * r.period)
                 if (s := support(layers, u))]
        assert (min(spans), max(spans)) == (r.rf_min, r.rf_max) if spans else r.empty == r.period
        if all(layer.kind != "tconv" for layer in layers):
            assert [(x.rf, int(x.jump), x.padding) for x in analyze(layers)] == closed_form(layers)
        checked += 1
    assert interior > 3000, "too few units away from the borders were compared"


@pytest.mark.parametrize("name", ["alexnet", "vgg16", "resnet50-v1", "unet", "decoder-k3s2"])
def test_presets_match_impulses(name):
    n = {"unet": 572, "decoder-k3s2": 64}.get(name, 640)       # wide enough for units away from borders
    assert check_against_impulses(parse(PRESETS[name]), n) > 0


# ---------------------------------------------------------------------------
# Effective receptive field (Luo et al. 2016)
# ---------------------------------------------------------------------------
def test_effective_rf_profile_counts_paths():
    # Independent check: enumerate every path of a depth-5 stack of 3-tap kernels with
    # random zero-mean weights; E[g^2] at offset x is the sum over pairs of paths ending
    # at x of E[product of weights], which is 1 for identical paths and 0 otherwise.
    import itertools
    depth = 5
    counts = np.zeros(2 * depth + 1)
    for path in itertools.product((-1, 0, 1), repeat=depth):
        counts[sum(path) + depth] += 1
    offsets, prof = effective_rf_profile(depth)
    assert offsets.tolist() == list(range(-depth, depth + 1))
    assert np.allclose(prof, counts / counts.sum())


def test_effective_rf_is_much_narrower_than_the_theoretical_rf():
    for depth in (1, 4, 20, 100):
        offsets, prof = effective_rf_profile(depth)
        assert np.isclose(np.sqrt((prof * offsets**2).sum()), erf_std(depth))
    offsets, prof = effective_rf_profile(20, kernel=5)
    assert np.isclose(np.sqrt((prof * offsets**2).sum()), erf_std(20, 5))
    assert erf_std(40) / (2 * 40 + 1) < erf_std(10) / (2 * 10 + 1) / 1.9    # shrinks like 1/sqrt(n)
    assert np.isclose(erf_std(20), np.sqrt(40 / 3))


# ---------------------------------------------------------------------------
# Parsing and bad input
# ---------------------------------------------------------------------------
def test_parse_forms():
    layers = parse("conv3 s1 p1; pool2 s2; conv3 d2 p2; tconv4 s2 p1")
    assert [x.text for x in layers] == ["conv3 p1", "pool2", "conv3 p2 d2", "tconv4 s2 p1"]
    assert parse("maxpool3 s2 p1")[0] == Layer("pool", 3, 2, 1)
    assert parse("deconv4 s2 p1 op1")[0] == Layer("tconv", 4, 2, 1, 1, 1)
    assert len(parse("a: (conv1; conv3 p1) x3\nb: relu; bn # comment")) == 8
    assert parse("a: conv3; pool2\nb: conv1")[1].stage == "a"
    assert parse("conv3，p1；pool2") == parse("conv3 p1; pool2")                 # full-width punctuation
    assert parse("CONV3 S2")[0] == conv(3, 2)


@pytest.mark.parametrize("text, column, token, words", [
    ("conv3 p1; cnv3", 11, "cnv3", "unknown layer"),
    ("conv3 q1", 7, "q1", "unknown option"),
    ("conv3 s0", 7, "s0", "stride must be at least 1"),
    ("conv0", 1, "conv0", "kernel must be at least 1"),
    ("conv3; pool3 p2", 14, "p2", "at most half the kernel"),
    ("conv3 p3", 7, "p3", r"at most d\*\(k-1\)"),
    ("tconv3 s2 op2", 11, "op2", "output padding must be smaller"),
    ("pool2 d2", 7, "d2", "does not take option d"),
    ("conv3 p1 p1", 10, "p1", "given twice"),
    ("(conv3", 1, "(", "never closed"),
    ("conv3)", 6, ")", "without a matching"),
    ("conv", 1, "conv", "missing kernel size"),
    ("relu3", 1, "relu3", "identity layer takes no kernel"),
    ("conv3 $", 7, "$", "unexpected character"),
    ("  ", 1, "", "empty network"),
    ("(conv3 x1000) x1000", 1, "(", "more than 2000 layers"),
    ("conv99999999999", 1, "conv99999999999", "kernel must be at most 1000"),
])
def test_parse_errors_point_at_the_token(text, column, token, words):
    with pytest.raises(ParseError, match=words) as info:
        parse(text)
    assert (info.value.column, info.value.token) == (column, token)
    assert f"(column {column}: '{token}')" in str(info.value)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: analyze([]), ValueError, "empty"),
    (lambda: analyze(""), ValueError, "empty network"),
    (lambda: analyze(3), TypeError, "list of Layer"),
    (lambda: analyze([Layer("conv", 0)]), ValueError, "kernel"),
    (lambda: analyze([Layer("conv", 3, -1)]), ValueError, "stride"),
    (lambda: analyze([Layer("pool", 3, 2, 2)]), ValueError, "padding"),
    (lambda: analyze([Layer("upsample", 2)]), ValueError, "unknown layer kind"),
    (lambda: analyze([Layer("conv", 3.5)]), TypeError, "kernel"),
    (lambda: analyze("conv3", unit=1.5), TypeError, "unit"),
    (lambda: parse(None), TypeError, "text"),
    (lambda: analyze("tconv2 s8 x5"), ValueError, "period"),
    (lambda: analyze("conv1000 d1000 s1000 x20"), ValueError, "2\\^53"),
    (lambda: output_sizes("conv5", 3), ValueError, "too short"),
    (lambda: impulse_support("conv3", 0), ValueError, "n must be"),
    (lambda: effective_rf_profile(0), ValueError, "depth"),
    (lambda: effective_rf_profile(3, kernel=0), ValueError, "kernel"),
    (lambda: conv(3, p=5), ValueError, "padding"),
    (lambda: tconv(4, 2, 1, op=2), ValueError, "output padding"),
    (lambda: hdc_distances([2]), ValueError, "rates needs at least 2"),
    (lambda: hdc_distances([1, 0, 5]), ValueError, "rates\\[1\\]"),
    (lambda: hdc_distances([1, 2.5]), TypeError, "rates\\[1\\]"),
    (lambda: hdc_distances("125"), TypeError, "rates must be a list"),
    (lambda: hdc_distances(5), TypeError, "rates must be a list"),
    (lambda: same_padding(0, 3), ValueError, "n must be"),
    (lambda: same_padding(10, 0), ValueError, "kernel"),
    (lambda: same_padding(10, 3, stride=0), ValueError, "stride"),
    (lambda: same_padding(10, 3, dilation=1.5), TypeError, "dilation"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# ---------------------------------------------------------------------------
# The in-browser calculator gives the same numbers (vectors computed here, at test time)
# ---------------------------------------------------------------------------
FIELDS = ("index", "text", "stage", "kind", "rf_min", "rf_max", "uniform", "jump_text", "rf_text", "padding",
          "unit", "start", "end", "centre", "period", "empty")


def py_vector(text, unit):
    try:
        rows = analyze(text, unit)
    except ValueError as exc:
        return {"error": str(exc)}
    r = rows[-1]
    sup = support(text, unit) if r.rf_max < 5000 else None
    return {"rows": [{f: getattr(x, f) for f in FIELDS} for x in rows], "support": sup}


JS_VECTOR = """([text, unit]) => {
  const api = window.rfCalc;
  let rows;
  try { rows = api.analyze(text, unit); } catch (e) { return {error: e.message}; }
  const keys = %s;
  const r = rows[rows.length - 1];
  return {rows: rows.map(x => Object.fromEntries(keys.map(k => [k, x[k]]))),
          support: r.rf_max < 5000 ? api.support(text, unit) : null};
}""" % list(FIELDS)


def vector_inputs():
    rng = np.random.default_rng(7)
    cases = [(t, u) for t in PRESETS.values() for u in (0, 3)]
    cases += [("conv3 s1 p1; pool2 s2; conv3 d2 p2; tconv4 s2 p1", u) for u in (-2, 0, 1, 5)]
    cases += [("tconv3 s2 p1", u) for u in range(4)] + [("tconv1 s2", 1), ("conv3 d2 p2 x3", 0)]
    cases += [("conv3 p1; tconv2 s2; tconv2 s2; conv3 p1", u) for u in range(4)]
    cases += [(";\n".join(x.text for x in random_stack(rng)), int(rng.integers(-3, 9))) for _ in range(60)]
    cases += [(t, 0) for t, *_ in test_parse_errors_point_at_the_token.pytestmark[0].args[1]]
    cases += [("tconv2 s8 x5", 0), ("conv1000 d1000 s1000 x20", 0), ("a: conv3，p1；pool2", 0)]
    # channels, groups and the residual add of the cost counter (dlnotes/cnn_cost.py) parse alike
    cases += [("conv3 s2 p1 c64 g2; bn; relu; (conv1 c16; conv3 p1 g16; sc) x2", 1), ("pool2 c3", 0),
              ("conv3 c0", 0), ("tconv4 s2 p1 c8 g4", 0), ("conv3 g100001", 0)]
    return cases


@pytest.mark.browser
@pytest.mark.parametrize("path", ["cnn/receptive-field/", "zh/cnn/receptive-field/"])
def test_calculator_matches_python(page_factory, path):
    page, problems = page_factory(path)
    page.wait_for_function("window.rfCalc !== undefined")
    assert page.evaluate("window.rfCalc.PRESETS") == PRESETS
    mismatches = []
    for text, unit in vector_inputs():
        js = page.evaluate(JS_VECTOR, [text, unit])
        py = py_vector(text, unit)
        if js != py:
            mismatches.append((text, unit, py if "error" in py else py["rows"][-1],
                               js if "error" in js else js["rows"][-1]))
    assert not mismatches, mismatches[:3]
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.parametrize("path, scheme, width", [("cnn/receptive-field/", "light", 1280),
                                                 ("zh/cnn/receptive-field/", "dark", 390)])
def test_calculator_widget_updates_as_you_type(page_factory, path, scheme, width):
    page, problems = page_factory(path, scheme=scheme, width=width)
    calc = page.locator(".rf-calc").first
    assert calc.locator("select").count() == 0, "the widget should wait until it is scrolled to"
    calc.scroll_into_view_if_needed()                      # it is built when it nears the screen
    calc.locator("select").select_option("resnet50-v1")
    assert "483" in calc.locator(".rf-summary").inner_text()
    assert calc.locator(".rf-table tbody tr").count() == len(parse(PRESETS["resnet50-v1"]))
    calc.locator("select").select_option("resnet50-v1.5")
    assert "427" in calc.locator(".rf-summary").inner_text()
    area = calc.locator("textarea")
    area.fill("conv3 p1; pool2 s2; cnv3")
    error = calc.locator(".rf-error").inner_text()
    assert "column 21" in error and "cnv3" in error
    assert area.get_attribute("aria-invalid") == "true"
    area.fill("tconv3 s2 p1")
    assert calc.locator(".rf-error").inner_text() == ""
    cells = calc.locator(".rf-table tbody tr").first.locator("td").all_inner_texts()
    assert cells[3] == "1–2" and cells[4] == "1/2"
    calc.locator("input.rf-unit").fill("")
    assert "unit" in calc.locator(".rf-error").inner_text()
    calc.locator("input.rf-unit").fill("1")
    assert calc.locator(".rf-diagram svg rect.rf-seen").count() >= 1
    assert "NaN" not in calc.inner_text() and "undefined" not in calc.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page scrolls sideways"
    assert not problems, problems


# ---------------------------------------------------------------------------
# The calculator's cost columns: the JS port of dlnotes.cnn_cost.count gives the same numbers
# (under node: the widget script exports its functions when there is no document)
# ---------------------------------------------------------------------------
NODE = shutil.which("node")
RF_JS = Path(__file__).resolve().parents[1] / "docs" / "assets" / "js" / "rf-calculator.js"
COST_FIELDS = ("index", "stage", "text", "c_in", "c_out", "size", "params", "macs", "rf", "jump")
BOTTLENECK = ("stem: conv7 s2 p3 c64; bn; relu; pool3 s2 p1;\n"
              "conv2_x: (conv1 c64; bn; relu; conv3 p1 c64; bn; relu; conv1 c256; bn; sc; relu);\n"
              "(conv1 c64; bn; relu; conv3 p1 c64; bn; relu; conv1 c256; bn; sc; relu) x2;\n"
              "conv3_x: (conv1 c128; bn; relu; conv3 s2 p1 c128; bn; relu; conv1 c512; bn; sc; relu)")
DEPTHWISE = "conv3 s2 p1 c32; bn; relu; (conv3 p1 g32; bn; relu; conv1 c64; bn; sc)"


def py_cost(text, size, channels):
    from dlnotes.cnn_cost import count, totals
    try:
        rows = count(text, size=size, channels=channels)
    except ValueError as exc:
        return {"error": str(exc)}
    return {"rows": [[str(getattr(r, f)) for f in COST_FIELDS] for r in rows],
            "totals": [str(t) for t in totals(rows)]}


JS_COST = """const api = require(%s);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const keys = %s;
console.log(JSON.stringify(cases.map(([text, size, channels]) => {
  let rows;
  try { rows = api.count(text, size, channels); } catch (e) { return {error: e.message}; }
  return {rows: rows.map(r => keys.map(k => String(r[k]))), totals: api.totals(rows).map(String)};
})));"""


def cost_inputs():
    from dlnotes.cnn_cost import PRESETS as COST_PRESETS
    cases = [(t, 224, 3) for t in COST_PRESETS.values()]            # ResNet-18 ... 152, ResNeXt, MobileNet
    cases += [(BOTTLENECK, 224, 3), (BOTTLENECK, 97, 1),              # bottlenecks: identity and projection sc
              (DEPTHWISE, 224, 3), (DEPTHWISE, 33, 5),                # depthwise-separable block
              ("conv3 p1 c64 g4; bn; relu; conv3 p1 c128 g32", 56, 32),    # grouped convs, bias where no bn
              ("conv3 p1 c64 g1; conv3 p1 g64; conv1 c128", 28, 64),        # depthwise without channels (c_in)
              ("conv3 p1 c16; maxpool2; avgpool3 s2 p1; pool7; conv1 c10", 28, 1),   # pooling costs nothing
              ("conv3 c8; pool2 s1; pool3 s2 p1", 9, 3),
              ("tconv4 s2 p1 c8 g4; bn; tconv3 s2 p1 op1 c4", 7, 8),      # transposed: MACs per input pixel
              ("conv3 p1 d2 c8; conv3 d2 p2 c8 x3", 15, 2),
              ("(conv3 p1 c8; (conv1 c8; bn; sc) x2; conv1 c16; sc) x2; sc", 16, 8),   # nested blocks, top-level sc
              ("sc; conv3 c8 x2; sc x2", 12, 3), ("a: conv3 c4；b: (relu；sc)", 6, 4),
              ("conv1 c8; bn", 1, 1), ("conv3 p1 c100000", 1, 100000),
              # errors, the same message
              ("conv3 g2", 32, 3), ("conv3 c8 g3", 32, 6), ("conv5 c8", 3, 3), ("conv3 c8", 0, 3),
              ("conv3 c8", 8, 0), ("(tconv2 s2 c8; sc)", 10, 3), ("(conv3 c8; sc)", 10, 3),
              ("(conv3 s3 c8; sc)", 10, 3), ("conv3 c0", 8, 3), ("pool2 c3", 8, 3), ("conv3 p1 c8; cnv3", 8, 3)]
    rng = np.random.default_rng(11)
    for _ in range(150):
        cases.append((random_cost_text(rng), int(rng.choice([1, 5, 16, 31, 64])), int(rng.choice([1, 3, 8, 16]))))
    return cases


def random_cost_text(rng):
    """A random network in the compact text with channels, groups, BN and residual blocks (some invalid)."""
    def layer():
        kind = rng.choice(["conv", "conv", "conv", "pool", "tconv", "bn", "relu"])
        if kind in ("bn", "relu"):
            return str(kind)
        k, s = int(rng.integers(1, 5)), int(rng.integers(1, 3))
        if kind == "pool":
            return f"pool{k} s{s} p{int(rng.integers(0, k // 2 + 1))}"
        d = int(rng.integers(1, 3))
        opts = [f"s{s}", f"p{int(rng.integers(0, d * (k - 1) + 1))}", f"d{d}"]
        if kind == "tconv":
            opts.append(f"op{int(rng.integers(0, max(s, d)))}")
        if rng.random() < 0.7:
            opts.append(f"c{int(rng.choice([4, 8, 12, 16, 24]))}")
        if rng.random() < 0.4:
            opts.append(f"g{int(rng.choice([2, 4, 8]))}")
        return f"{kind}{k} " + " ".join(opts)

    parts = []
    for _ in range(int(rng.integers(1, 5))):
        if rng.random() < 0.4:
            body = "; ".join(layer() for _ in range(int(rng.integers(1, 4))))
            parts.append(f"({body}; sc)" + (f" x{int(rng.integers(2, 4))}" if rng.random() < 0.3 else ""))
        else:
            parts.append(layer())
    return "; ".join(parts)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_calculator_costs_match_cnn_cost():
    cases = cost_inputs()
    proc = subprocess.run([NODE, "-e", JS_COST % (json.dumps(str(RF_JS)), json.dumps(list(COST_FIELDS)))],
                          input=json.dumps(cases), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout)
    mismatches = [(c, py_cost(*c), js) for c, js in zip(cases, got) if js != py_cost(*c)]
    assert not mismatches, mismatches[:2]
    outcomes = [py_cost(*c) for c in cases]
    assert sum("error" in o for o in outcomes) >= 15 and sum("rows" in o for o in outcomes) >= 80
    from dlnotes.cnn_cost import PRESETS as COST_PRESETS
    assert got[list(COST_PRESETS).index("resnet50-v1.5")]["totals"] == ["25557032", "4089184256"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_calculator_parses_blocks_like_python():
    texts = ["(conv1; bn; sc) x2; sc", "sc; conv3 c8 x2; sc x2", "(conv3 p1 c8; (conv1 c8; bn; sc) x2; conv1 c16; sc) x2; sc"]
    script = (f"const api = require({json.dumps(str(RF_JS))}); console.log(JSON.stringify("
              f"{json.dumps(texts)}.map(t => api.parse(t).map(l => [l.word, l.block]))));")
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(proc.stdout) == [[[x.word, x.block] for x in parse(t)] for t in texts]


@pytest.mark.browser
@pytest.mark.parametrize("path, scheme, width, lang", [("cnn/receptive-field/", "light", 1280, "en"),
                                                       ("zh/cnn/receptive-field/", "dark", 390, "zh")])
def test_calculator_shows_parameters_and_multiply_adds(page_factory, path, scheme, width, lang):
    from dlnotes.cnn_cost import count, totals
    words = {"en": ("params", "mult-adds", "total", "Input channels", "Input size", "groups=3 must divide"),
             "zh": ("参数量", "乘加次数", "合计", "输入通道数", "输入尺寸", "groups=3 must divide")}[lang]
    page, problems = page_factory(path, scheme=scheme, width=width)
    calc = page.locator(".rf-calc").first
    calc.scroll_into_view_if_needed()
    area, chans, size = calc.locator("textarea"), calc.locator("input.rf-channels"), calc.locator("input.rf-size")
    area.wait_for()
    assert chans.input_value() == "3" and size.input_value() == "224"
    assert calc.locator(".rf-table th").count() == 9, "no cost columns without cN"
    assert "c64" in calc.locator(".rf-help-cost").inner_text() and "sc" in calc.locator(".rf-help-cost").inner_text()
    area.fill(BOTTLENECK)
    size.fill("97")
    chans.fill("1")
    heads = calc.locator(".rf-table thead th").all_inner_texts()
    assert heads[3:5] == list(words[:2]) and len(heads) == 11, heads      # right after the stage column
    rows = count(BOTTLENECK, size=97, channels=1)
    cells = [tr.locator("td").all_inner_texts() for tr in calc.locator(".rf-table tbody tr").all()]
    assert [(c[1], c[3], c[4], c[5]) for c in cells] == [(r.text, f"{r.params:,}", f"{r.macs:,}", r.rf) for r in rows]
    p, m = totals(rows)
    foot = calc.locator(".rf-table tfoot td").all_inner_texts()
    assert foot[1] == words[2] and foot[3:5] == [f"{p:,}", f"{m:,}"]
    summary = calc.locator(".rf-cost-summary").inner_text()
    assert f"{p:,}" in summary and f"{m:,}" in summary and "1 × 97 × 97" in summary
    assert calc.locator(".rf-cost-note").is_visible()
    for box, value, word in [(chans, "0", words[3]), (chans, "", words[3]), (size, "2.5", words[4])]:
        box.fill(value)
        assert word in calc.locator(".rf-error").inner_text() and box.get_attribute("aria-invalid") == "true"
        assert calc.locator(".rf-table th").count() == 9 and calc.locator(".rf-cost-summary").is_hidden()
        box.fill("1" if box == chans else "97")
    assert calc.locator(".rf-error").inner_text() == ""
    area.fill("conv3 c8 g3")
    assert words[5] in calc.locator(".rf-error").inner_text() and area.get_attribute("aria-invalid") == "true"
    area.fill("conv3 p1 c8")
    # 3x3 weights from 1 channel to 8, plus 8 biases (no bn follows); one MAC per weight per 97 x 97 output pixel
    assert calc.locator(".rf-table tbody td").all_inner_texts()[3:5] == ["80", f"{8 * 9 * 97 * 97:,}"]
    assert "NaN" not in calc.inner_text() and "undefined" not in calc.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page scrolls sideways"
    assert not problems, problems


# ---------------------------------------------------------------------------
# Numbers stated on the page
# ---------------------------------------------------------------------------
PAGE = "cnn/receptive-field.md"
CLAIMS = [
    Claim(PAGE, lambda: last(PRESETS["resnet50-v1"]).rf, "{}", en="ResNet-50 v1 reaches 483 pixels",
          zh="ResNet-50 v1 的感受野是 483 像素"),
    Claim(PAGE, lambda: last(PRESETS["resnet50-v1.5"]).rf, "{}", en="v1.5 only 427",
          zh="v1.5 只有 427"),
    Claim(PAGE, lambda: last(PRESETS["vgg16"]).rf, "{}", en="VGG-16's pool5 sees 212 pixels",
          zh="VGG-16 的 pool5 看到 212 个像素"),
    Claim(PAGE, lambda: last(PRESETS["alexnet"]).rf, "{}", en="AlexNet's pool5 sees 195",
          zh="AlexNet 的 pool5 是 195"),
    Claim(PAGE, lambda: last(PRESETS["unet"]).rf_min, "{}", en="between 188 and 204 pixels", zh="在 188 和 204 像素之间"),
    Claim(PAGE, lambda: last(PRESETS["unet"]).rf_max, "{}", en="between 188 and 204 pixels", zh="在 188 和 204 像素之间"),
    Claim(PAGE, lambda: last(PRESETS["deeplabv3-aspp36"]).rf, "{}", en="the rate-36 branch sees 1547 pixels",
          zh="空洞率 36 的分支感受野是 1547 像素"),
    Claim(PAGE, lambda: sum(1 for l in parse(PRESETS["resnet50-v1"]) if l.kind == "conv" and l.kernel == 3), "{}",
          en="(only 16 of its convolutions are 3×3)", zh="（其中只有 16 个卷积是 3×3）"),
    Claim(PAGE, lambda: erf_std(20), "{:.2f}", en="standard deviation is only 3.65 pixels",
          zh="标准差只有 3.65 像素"),
    Claim(PAGE, lambda: len(effective_rf_profile(20)[0]), "{}", en="with 20 layers the RF spans 41 pixels",
          zh="20 层时感受野跨 41 个像素"),
    Claim(PAGE, lambda: last("conv3 d2 p2 x3").rf, "{}", en="span 13 pixels but read 7 of them",
          zh="跨 13 个像素，却只读其中 7 个"),
    Claim(PAGE, lambda: len(support("conv3 d2 p2 x3")), "{}", en="span 13 pixels but read 7 of them",
          zh="跨 13 个像素，却只读其中 7 个"),
    Claim(PAGE, lambda: len(support("conv3 p1; conv3 d2 p2; conv3 d5 p5")), "{}",
          en="read every pixel of their 17-pixel span", zh="读到了 17 像素范围内的每一个像素"),
    Claim(PAGE, lambda: last(PRESETS["deeplabv3-backbone"]).rf, "{}",
          en="the torchvision backbone reaches 971 pixels", zh="torchvision 的骨干网络达到 971 像素"),
    Claim(PAGE, lambda: analyze(PRESETS["resnet50-v1"])[1].rf, "{}",
          en="The stem gives 11 pixels with jump 4", zh="stem 给出 11 像素、跳跃步长 4"),
    Claim(PAGE, lambda: analyze(PRESETS["resnet50-v1"])[1].jump, "{}",
          en="The stem gives 11 pixels with jump 4", zh="stem 给出 11 像素、跳跃步长 4"),
    Claim(PAGE, lambda: hdc_distances([1, 2, 5])[1], "{}",
          en="rates 1, 2, 5 give \\(M_2 = 2\\)", zh="1、2、5 给出 \\(M_2 = 2\\)"),
    Claim(PAGE, lambda: hdc_distances([1, 2, 9])[1], "{}",
          en="1, 2, 9 give \\(M_2 = 5\\)", zh="1、2、9 给出 \\(M_2 = 5\\)"),
    Claim(PAGE, lambda: hdc_distances([2, 2, 2])[1], "{}",
          en="Rates 2, 2, 2 also give \\(M_2 = 2\\)", zh="2、2、2 同样有 \\(M_2 = 2\\)"),
    Claim(PAGE, lambda: "/".join(str(r.padding) for r in stage_table(caffe_resnet50_v1())[1:]), "{}",
          en="the padding column becomes 15/47/143/239 instead of 17/49/145/241",
          zh="padding 一列由 17/49/145/241 变成 15/47/143/239"),
    Claim(PAGE, lambda: "/".join(str(r.padding) for r in stage_table(PRESETS["resnet50-v1"])[1:]), "{}",
          en="the padding column becomes 15/47/143/239 instead of 17/49/145/241",
          zh="padding 一列由 17/49/145/241 变成 15/47/143/239"),
    Claim(PAGE, lambda: last(PRESETS["vgg16"] + "; fc6: conv7").rf, "{}",
          en="it sees 404 pixels (212 + 6 × 32) with jump 32", zh="它看到 404 个像素（212 + 6 × 32），跳跃步长 32"),
    Claim(PAGE, lambda: last(tfslim_resnet50_v1(224)).padding, "{}",
          en="padding 239 on a 224-pixel input", zh="输入 224 像素时 padding 为 239"),
    Claim(PAGE, lambda: last(tfslim_resnet50_v1(321)).padding, "{}",
          en="but 241 on a 321-pixel one", zh="输入 321 像素时为 241"),
    Claim(PAGE, lambda: same_padding(112, 3, 2), "{}",
          en="a 3×3 stride-2 pool pads \\((0, 1)\\) on a 112-pixel map", zh="在 112 像素的特征图上补 \\((0, 1)\\)"),
    Claim(PAGE, lambda: same_padding(161, 3, 2), "{}",
          en="\\((1, 1)\\) on a 161-pixel one", zh="在 161 像素的特征图上补 \\((1, 1)\\)"),
]
test_claims = claims_test(CLAIMS)
