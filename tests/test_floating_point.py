"""Tests for dlnotes.floating_point and the numbers the floating-point page states."""
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from scipy.special import logsumexp as scipy_logsumexp

from dlnotes.floating_point import FORMATS, binary_expansion, decode, fields, logsumexp, to_bfloat16
from tests.claims import Claim, claims_test


@pytest.mark.parametrize("x, expected", [
    (Fraction(1, 20), ("0", "00", "0011")),        # 0.05 = 0.00(0011)...
    (Fraction(7, 20), ("0", "01", "0110")),        # 0.35 = 0.01(0110)...
    (Fraction(1, 10), ("0", "0", "0011")),
    (Fraction(5, 8), ("0", "101", "")),
    (Fraction(13, 2), ("110", "1", "")),
    (7, ("111", "", "")),
    (Fraction(1, 3), ("0", "", "01")),
])
def test_binary_expansion(x, expected):
    assert binary_expansion(x) == expected


def test_expansion_value_equals_x():
    # whole + prefix/2^a + block/(2^a (2^b - 1)) reconstructs the rational exactly
    for x in (Fraction(1, 20), Fraction(7, 20), Fraction(22, 7), Fraction(3, 28)):
        w, pre, rep = binary_expansion(x)
        value = int(w, 2) + Fraction(int(pre or "0", 2), 2 ** len(pre))
        if rep:
            value += Fraction(int(rep, 2), 2 ** len(pre) * (2 ** len(rep) - 1))
        assert value == x


def test_stored_floats_terminate():
    w, pre, rep = binary_expansion(0.05)                # the double, not 1/20
    # 2^-5 is the leading 1, 52 mantissa bits follow; the last one ("...1010") is 0
    assert rep == "" and len(pre) == 56
    assert Fraction(int(pre, 2), 2 ** len(pre)) == Fraction(0.05)


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_formats_match_numpy_finfo(name):
    f, fi = FORMATS[name], np.finfo(name)
    assert f.max == float(fi.max)
    assert f.min_normal == float(fi.smallest_normal)
    assert f.min_subnormal == float(fi.smallest_subnormal)
    assert f.eps == float(fi.eps)
    assert f.bits == fi.bits and f.mantissa == fi.nmant


def test_bfloat16_from_its_layout():
    bf = FORMATS["bfloat16"]
    assert bf.bits == 16 and bf.bias == 127
    assert bf.max == (2 - 2 ** -7) * 2.0 ** 127 == to_bfloat16(3.3895313892515355e38)
    assert bf.min_normal == float(np.finfo(np.float32).smallest_normal)   # same exponent as float32
    assert bf.eps == 2 ** -7
    assert bf.min_subnormal == 2.0 ** -133
    # bfloat16 values are float32 values whose low 16 bits are zero
    for x in (0.35, 1 / 3, 123.456, -7e-20):
        y = np.array(to_bfloat16(x), dtype=np.float32)
        assert int(y.view(np.uint32)) & 0xFFFF == 0
        assert abs(to_bfloat16(x) - x) <= abs(x) * 2 ** -8       # half an ulp, relative


def test_bfloat16_rounds_to_nearest_even():
    assert to_bfloat16(1 + 2 ** -8) == 1.0                         # tie -> even (1.0)
    assert to_bfloat16(1 + 3 * 2 ** -8) == 1 + 2 ** -6             # tie -> even (1 + 2/128)
    assert to_bfloat16(1 + 2 ** -8 + 2 ** -20) == 1 + 2 ** -7      # just above the tie
    assert to_bfloat16(3.4e38) == math.inf and to_bfloat16(-1e300) == -math.inf
    assert to_bfloat16(1e-45) == 0.0 or to_bfloat16(1e-45) < 1e-40


@pytest.mark.parametrize("fmt", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("x", [0.05, 0.35, -2.5, 7.0, 1e-5, 65504.0])
def test_fields_decode_round_trip(fmt, x):
    s, e, m = fields(x, fmt)
    assert len(s) + len(e) + len(m) == FORMATS[fmt].bits
    rounded = {"float64": x, "float32": float(np.float32(x)), "float16": float(np.float16(x)),
               "bfloat16": to_bfloat16(x)}[fmt]
    if math.isfinite(rounded):
        assert decode(s, e, m, fmt) == Fraction(rounded)


def test_fields_of_005_and_035():
    assert fields(0.05) == ("0", "01111111010", "1001" * 12 + "1010")
    assert fields(0.35) == ("0", "01111111101", "0110" * 13)


def test_quotient_is_the_largest_double_below_seven():
    q = 0.35 / 0.05
    assert q == 7 - 2 ** -50 == math.nextafter(7, 0)
    exact = Fraction(0.35) / Fraction(0.05)
    # correctly rounded: q is the double nearest the exact quotient
    assert abs(Fraction(q) - exact) < abs(Fraction(7) - exact)
    assert abs(Fraction(q) - exact) <= Fraction(2 ** -51)


def test_logsumexp_matches_scipy_and_does_not_overflow():
    rng = np.random.default_rng(0)
    for x in (rng.normal(size=10), np.array([1000.0, 1000.0]), np.array([-1000.0, -1001.0]), np.array([3.0])):
        assert logsumexp(x) == pytest.approx(float(scipy_logsumexp(x)), rel=1e-12)
    assert logsumexp([1000.0, 1000.0]) == pytest.approx(1000 + math.log(2))


@pytest.mark.parametrize("call, exc, words", [
    (lambda: binary_expansion(-0.5), ValueError, "x must be non-negative"),
    (lambda: binary_expansion("0.35"), TypeError, "x must be an int, Fraction or float"),
    (lambda: binary_expansion(Decimal("0.35")), TypeError, "x must be an int, Fraction or float"),
    (lambda: binary_expansion(Fraction(1, 3 * 2 ** 10), max_digits=5), ValueError, "max_digits"),
    (lambda: binary_expansion(0.5, max_digits=0), ValueError, "max_digits must be in"),
    (lambda: fields(math.nan), ValueError, "x must be finite"),
    (lambda: fields("1.0"), TypeError, "x must be a real number"),
    (lambda: fields(1.0, "float8"), ValueError, "fmt must be one of"),
    (lambda: to_bfloat16(math.inf), ValueError, "x must be finite"),
    (lambda: decode("0", "101", "0"), ValueError, "exponent must be a string of 11"),
    (lambda: decode("0", "1" * 11, "0" * 52), ValueError, "infinity or NaN"),
    (lambda: logsumexp([]), ValueError, "x must not be empty"),
    (lambda: logsumexp([[1.0]]), ValueError, "x must have 1 dimension"),
    (lambda: logsumexp([1.0, math.nan]), ValueError, "x contains NaN"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_1e16_plus_1_is_a_tie_broken_to_even():
    # Independent of the float unit: exact rationals.
    lo = Fraction(1e16)
    hi = Fraction(math.nextafter(1e16, math.inf))
    assert hi - lo == 2 == math.ulp(1e16)
    assert lo + 1 == (lo + hi) / 2                       # exactly halfway: a tie
    assert (lo / 2) % 2 == 0 and (hi / 2) % 2 == 1       # significands: 1e16 is the even one
    assert 1e16 + 1 == 1e16 and (1e16 + 1) - 1e16 == 0.0
    assert 1e16 + 3 == 1e16 + 4                          # the other tie goes up, to the even neighbour
    assert 1e16 - 1e16 + 1 == 1.0


P = "python/floating-point.md"
CLAIMS = [
    Claim(P, lambda: math.ulp(1e16), "{:.0f}",
          en="(1e16 is one of them) are 2 apart", zh="（1e16 就在其中）相邻 double 的间距是 2"),
    Claim(P, lambda: FORMATS["float16"].max, "{:.0f}", en="largest float16 is 65504", zh="float16 最大只有 65504"),
    Claim(P, lambda: FORMATS["bfloat16"].max, "{:.3g}",
          en="bfloat16 reaches 3.39e+38", zh="bfloat16 可以到 3.39e+38"),
    Claim(P, lambda: FORMATS["bfloat16"].eps, "{}", en="bfloat16's eps is 0.0078125", zh="bfloat16 的 eps 为 0.0078125"),
    Claim(P, lambda: FORMATS["float16"].eps, "{}", en="float16's is 0.0009765625", zh="float16 为 0.0009765625"),
    Claim(P, lambda: FORMATS["bfloat16"].decimal_digits, "{:.1f}",
          en="about 2.4 significant decimal digits", zh="约 2.4 位有效十进制数字"),
    Claim(P, lambda: FORMATS["float16"].decimal_digits, "{:.1f}",
          en="float16 about 3.3", zh="float16 约 3.3 位"),
    Claim(P, lambda: FORMATS["float16"].min_subnormal, "{:.1e}",
          en="The smallest positive float16 is about 6.0e-08",
          zh="float16 能表示的最小正数约为 6.0e-08"),
]
test_claims = claims_test(CLAIMS)
