"""Argument checks shared by every dlnotes module.

They turn bad input into an error that names the argument, instead of a NaN
or a traceback from deep inside numpy.
"""
from __future__ import annotations

import numbers

import numpy as np


def as_float_array(x, name: str, *, ndim: int | None = None, min_ndim: int = 0) -> np.ndarray:
    """Return ``x`` as a finite float array, or raise naming ``name``."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a rectangular numeric array ({exc})") from None
    kind = arr.dtype.kind          # b bool, i/u integers, f floats, c complex; the rest is not numeric
    if kind == "c":
        raise TypeError(f"{name} must be real, got a complex array")
    if kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    if not np.isfinite(arr).all():      # the method: np.all() costs more than the check in training loops
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def real_number(value, name: str, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """Return ``value`` as a float inside the given interval, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    lo_bad = low is not None and (value <= low if low_open else value < low)
    hi_bad = high is not None and (value >= high if high_open else value > high)
    if lo_bad or hi_bad:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}, got {value}")
    return value


def integer(value, name: str, *, low=None, high=None) -> int:
    """Return ``value`` as an int in ``[low, high]``, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
    return value


def rng_from(seed) -> np.random.Generator:
    """Accept ``None``, an int seed or a ``numpy.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be None, a non-negative int or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def choice(value, name: str, options) -> str:
    """Return ``value`` if it is one of ``options``, or raise naming ``name``."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value
