"""Binary expansions and IEEE 754 formats: why 0.35 / 0.05 is not 7.

* ``binary_expansion``: the exact binary digits of a rational number, with the
  repeating block found (the notes' "multiply by 2, take the integer part").
* ``FloatFormat``: range and precision computed from a bit layout (sign,
  exponent bits, stored mantissa bits), for float64/32/16 and bfloat16.
* ``fields``: sign, exponent and mantissa bits of a number in one of those formats.
* ``to_bfloat16``: round a number to bfloat16 (nearest, ties to even).
* ``logsumexp``: the overflow-free log(sum(exp(x))).
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational

import numpy as np

from dlnotes._check import as_float_array, choice, integer


# --8<-- [start:expansion]
def binary_expansion(x, max_digits=200):
    """Exact binary expansion of a non-negative rational x = p/q.

    Returns (integer part in binary, digits before the repeating block,
    repeating block). Digits come from "multiply by 2, take the integer
    part": the remainder r/q doubles each step, and a remainder seen
    before means the digits repeat from there. The expansion terminates
    iff q (in lowest terms) is a power of two.
    """
    if isinstance(x, float):
        x = Fraction(x)                # the exact value the float stores
    if isinstance(x, bool) or not isinstance(x, Rational):
        raise TypeError(f"x must be an int, Fraction or float, "
                        f"got {type(x).__name__}")
    x = Fraction(x)
    if x < 0:
        raise ValueError(f"x must be non-negative, got {x}")
    max_digits = integer(max_digits, "max_digits", low=1)
    q = x.denominator
    whole, r = divmod(x.numerator, q)
    digits, seen = [], {}
    while r and r not in seen:
        if len(digits) >= max_digits:
            raise ValueError(f"more than max_digits={max_digits} digits "
                             "before the expansion repeats")
        seen[r] = len(digits)
        r *= 2
        digits.append(str(r // q))     # integer part after doubling: 0 or 1
        r %= q
    start = seen[r] if r else len(digits)
    return (bin(whole)[2:], "".join(digits[:start]),
            "".join(digits[start:]))
# --8<-- [end:expansion]


# --8<-- [start:format]
@dataclass(frozen=True)
class FloatFormat:
    """An IEEE-754-style binary format: 1 sign bit, `exponent` bits,
    `mantissa` stored bits (plus an implicit leading 1).

    bias = 2^(e-1) - 1; a normal number is (-1)^s · 1.m · 2^(E - bias)
    with E in [1, 2^e - 2]; E = 0 holds zero and the subnormals,
    E = 2^e - 1 holds inf and NaN.
    """
    name: str
    exponent: int
    mantissa: int

    @property
    def bits(self) -> int:
        return 1 + self.exponent + self.mantissa

    @property
    def bias(self) -> int:
        return 2 ** (self.exponent - 1) - 1

    @property
    def max(self) -> float:              # (2 - 2^-m) · 2^bias
        top = 2 - Fraction(1, 2**self.mantissa)
        return float(top * Fraction(2) ** self.bias)

    @property
    def min_normal(self) -> float:       # 2^(1 - bias)
        return float(Fraction(2) ** (1 - self.bias))

    @property
    def min_subnormal(self) -> float:    # 2^(1 - bias - m)
        return float(Fraction(2) ** (1 - self.bias - self.mantissa))

    @property
    def eps(self) -> float:              # gap after 1: 2^-m
        return 2.0 ** -self.mantissa

    @property
    def decimal_digits(self) -> float:   # (m + 1) · log10(2)
        return (self.mantissa + 1) * math.log10(2)
# --8<-- [end:format]


FORMATS = {
    "float64": FloatFormat("float64", 11, 52),
    "float32": FloatFormat("float32", 8, 23),
    "float16": FloatFormat("float16", 5, 10),
    "bfloat16": FloatFormat("bfloat16", 8, 7),   # float32's exponent, 7 mantissa bits
}


def _finite_number(x, name="x") -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    return x


# --8<-- [start:bfloat16]
def to_bfloat16(x) -> float:
    """Round x to the nearest bfloat16 (ties to even).

    bfloat16 is float32 with the low 16 mantissa bits cut off: take the
    nearest float32, add 0x7FFF plus the lowest kept bit (round half to
    even), then clear the low 16 bits. Overflow gives ±inf.
    """
    x = _finite_number(x)
    with np.errstate(over="ignore"):               # beyond float32: inf
        u = int(np.array(x, dtype=np.float32).view(np.uint32))
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return float(np.array(u, dtype=np.uint32).view(np.float32))
# --8<-- [end:bfloat16]


# --8<-- [start:fields]
def fields(x, fmt="float64"):
    """(sign, exponent, mantissa) bit strings of x rounded to format fmt."""
    x = _finite_number(x)
    choice(fmt, "fmt", tuple(FORMATS))
    f = FORMATS[fmt]
    if fmt == "float64":
        (u,) = struct.unpack("<Q", struct.pack("<d", x))
    elif fmt == "bfloat16":                  # the top half of a float32
        (u,) = struct.unpack("<I", struct.pack("<f", to_bfloat16(x)))
        u >>= 16
    else:
        with np.errstate(over="ignore"):     # too large: the bits of inf
            y = np.array(x, dtype=fmt)
        u = int(y.view(np.uint32 if fmt == "float32" else np.uint16))
    b = format(u, f"0{f.bits}b")
    return b[0], b[1:1 + f.exponent], b[1 + f.exponent:]
# --8<-- [end:fields]


def decode(sign, exponent, mantissa, fmt="float64") -> Fraction:
    """The exact value of the bit fields (inverse of ``fields``, finite numbers)."""
    choice(fmt, "fmt", tuple(FORMATS))
    f = FORMATS[fmt]
    parts = (("sign", sign, 1), ("exponent", exponent, f.exponent),
             ("mantissa", mantissa, f.mantissa))
    for name, bits, n in parts:
        if not isinstance(bits, str) or len(bits) != n or set(bits) - {"0", "1"}:
            raise ValueError(f"{name} must be a string of {n} binary digits "
                             f"for {fmt}, got {bits!r}")
    e, m = int(exponent, 2), int(mantissa, 2)
    if e == 2**f.exponent - 1:
        raise ValueError("exponent bits all ones: infinity or NaN, not a finite number")
    if e == 0:                                                      # subnormal: 0.m · 2^(1-bias)
        value = Fraction(m, 2**f.mantissa) * Fraction(2) ** (1 - f.bias)
    else:                                                           # normal: 1.m · 2^(e-bias)
        value = (1 + Fraction(m, 2**f.mantissa)) * Fraction(2) ** (e - f.bias)
    return -value if sign == "1" else value


# --8<-- [start:logsumexp]
def logsumexp(x):
    """log(sum(exp(x))) without overflow: subtract the maximum first.

    log Σ exp(x_i) = m + log Σ exp(x_i - m), m = max x_i: every exp ≤ 1.
    """
    x = as_float_array(x, "x", ndim=1)
    if len(x) == 0:
        raise ValueError("x must not be empty")
    m = x.max()
    return float(m + np.log(np.exp(x - m).sum()))
# --8<-- [end:logsumexp]
