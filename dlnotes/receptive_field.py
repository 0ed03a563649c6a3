"""Receptive fields of convolution stacks, exact for dilated and transposed convolution.

A network is a list of :class:`Layer` (one spatial axis; square kernels behave the
same on each axis).  Kinds: ``conv`` (kernel, stride, padding, dilation), ``pool``
(kernel, stride, padding; the stride defaults to the kernel as in PyTorch),
``tconv`` (transposed convolution: kernel, stride, padding, dilation, output
padding) and ``id`` (ReLU, BatchNorm at inference: no spatial effect).

Public API (other pages call these names)::

    parse(text) -> list[Layer]
        Compact text, layers separated by ';' or new lines, e.g.
        "conv3 s1 p1; pool2 s2; conv3 d2 p2; tconv4 s2 p1".
        Layer words: conv<k>, pool<k> (maxpool, avgpool), tconv<k> (deconv),
        relu / bn / act / id, and sc (a residual add; see below).  Options:
        s<stride> p<padding> d<dilation> op<output padding> x<repeat>, and for
        conv/tconv c<output channels> g<groups>.  Groups repeat:
        "(conv1; conv3 p1; conv1) x3".
        A label names a stage: "conv2_x: (conv1; conv3 p1; conv1) x3".
        Channels, groups and ``sc`` do not change a receptive field; the cost
        counter (dlnotes/cnn_cost.py) reads them: ``sc`` adds the input of the
        enclosing parenthesised group (the block) to the main path there.
        '#' starts a comment.  Errors are ParseError (a ValueError) naming
        the column and the offending token.
    analyze(layers, unit=0) -> list[Row]      (layers may also be the text)
        One Row per layer with rf_min, rf_max (equal when every output unit of
        that layer has the same receptive field), uniform, jump (a Fraction:
        input pixels between neighbouring units, averaged over a period),
        padding (-start of unit 0), start/end/centre of output unit ``unit``,
        period, empty (units per period that see no input at all), text, stage.
        Rows support both row.rf_max and row["rf_max"].
    stage_table(layers) -> list[Row]          the last row of every labelled stage
    table_text(rows) -> str                   those rows as a plain-text table
    support(layers, unit=0, n=None) -> list[int]   input positions that unit actually reads
                                              (n: clip at the borders of a length-n input)
    holes(layers, unit=0) -> list[int]        positions inside its span it does NOT see
    closed_form(layers) -> list[(rf, jump, padding)]   the textbook recurrences
    output_sizes(layers, n) -> list[int]      PyTorch output lengths for input length n
    impulse_support(layers, n, seed=0)        empirical: which inputs influence each output
    effective_rf_profile(depth, kernel=3)     expected squared gradient (Luo et al. 2016 ERF)
    erf_std(depth, kernel=3)                  its standard deviation, sqrt(depth (k^2-1)/12)
    hdc_distances(rates)                      HDC's M_1..M_n (Wang et al. 2018); the rule is M_2 <= K
    same_padding(n, kernel, stride=1, dilation=1)   TensorFlow "SAME" padding (left, right) for length n
    conv(k, s, p, d), pool(k, s, p), tconv(k, s, p, d, op), Layer("id")   build layers in code
    taps(layer, u)                            the input units that output unit u reads
    PRESETS: dict[str, str]                   name -> compact text
    PRESET_NOTES: dict[str, str]              name -> which variant and source

Example for the segmentation page's ASPP table::

    rows = analyze(PRESETS["deeplabv3-backbone"] + "; conv3 d24 p24")
    rows[-1].rf_max, rows[-1].jump      # (1355, Fraction(8, 1))

The in-browser calculator (docs/assets/js/rf-calculator.js) ports parse,
analyze and support line by line; tests check both give identical results.

Layout of this module, from the whiteboard down: the layer model and its builders; the textbook
recurrences (``closed_form``, what an interview asks for); the exact propagation that also handles
dilation holes and transposed convolution (``analyze``, ``support``); the empirical, ERF and HDC
checks; then the compact text syntax (``parse``), which the browser calculator mirrors; presets last.

Coordinates: input pixel 0 is the first real pixel; negative positions (and
positions past the end) are padding.  Receptive fields are computed on an
infinite line ("theoretical" receptive field), so they may extend into padding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import gcd

import numpy as np

from dlnotes._check import integer, rng_from

KINDS = ("conv", "pool", "tconv", "id")
MAX_SAFE = 2**53 - 1          # JavaScript's Number.MAX_SAFE_INTEGER: the widget gives the same answer
MAX_PERIOD = 4096             # product of transposed-conv strides that we tabulate
MAX_LAYERS = 2000
LIMITS = {"kernel": 1000, "stride": 1000, "dilation": 1000, "padding": 100000, "repeat": 1000,
          "channels": 100000, "groups": 100000}


class ParseError(ValueError):
    """A typo in the compact text; ``column`` (1-based) and ``token`` say where."""

    def __init__(self, column: int, token: str, detail: str):
        self.column, self.token, self.detail = column, token, detail
        super().__init__(f"{detail} (column {column}: '{token}')")


@dataclass(frozen=True)
class Layer:
    kind: str
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    output_padding: int = 0
    stage: str = ""
    # Read by the cost counter only (dlnotes/cnn_cost.py); no effect on receptive fields.
    channels: int = field(default=0, repr=False)        # output channels; 0 = same as the input
    groups: int = field(default=1, repr=False)          # grouped convolution (PyTorch's groups)
    word: str = field(default="", repr=False, compare=False)   # the layer word as typed: bn, sc, ...
    block: int = field(default=-1, repr=False, compare=False)  # sc: layers from the block start to it

    @property
    def effective_kernel(self) -> int:
        """Span of a dilated kernel: d (k - 1) + 1."""
        return self.dilation * (self.kernel - 1) + 1

    @property
    def text(self) -> str:
        if self.kind == "id":
            return "id"
        parts = [f"{self.kind}{self.kernel}"]
        default_stride = self.kernel if self.kind == "pool" else 1
        if self.stride != default_stride:
            parts.append(f"s{self.stride}")
        if self.padding:
            parts.append(f"p{self.padding}")
        if self.dilation != 1:
            parts.append(f"d{self.dilation}")
        if self.output_padding:
            parts.append(f"op{self.output_padding}")
        if self.channels:
            parts.append(f"c{self.channels}")
        if self.groups != 1:
            parts.append(f"g{self.groups}")
        return " ".join(parts)


def conv(k, s=1, p=0, d=1):
    return check_layer(Layer("conv", k, s, p, d))


def pool(k, s=None, p=0):
    return check_layer(Layer("pool", k, k if s is None else s, p))


def tconv(k, s=1, p=0, d=1, op=0):
    return check_layer(Layer("tconv", k, s, p, d, op))


def check_layer(layer: Layer) -> Layer:
    """Return ``layer`` if its numbers are legal, else raise ValueError naming the field."""
    if not isinstance(layer, Layer):
        raise TypeError(f"layers must be Layer objects, got {type(layer).__name__}")
    if layer.kind not in KINDS:
        raise ValueError(f"unknown layer kind {layer.kind!r}; expected one of {', '.join(KINDS)}")
    for name in ("kernel", "stride", "dilation"):
        integer(getattr(layer, name), name, low=1, high=LIMITS[name])
    integer(layer.padding, "padding", low=0, high=LIMITS["padding"])
    integer(layer.output_padding, "output_padding", low=0)
    integer(layer.channels, "channels", low=0, high=LIMITS["channels"])
    integer(layer.groups, "groups", low=1, high=LIMITS["groups"])
    if layer.kind not in ("conv", "tconv") and (layer.channels or layer.groups != 1):
        raise ValueError(f"only conv and tconv take channels or groups, not {layer.kind}")
    msg = _rule_violation(layer)
    if msg:
        raise ValueError(msg)
    return layer


def _rule_violation(layer: Layer) -> str:
    """The PyTorch-style rules that are not simple ranges ('' when fine)."""
    k, s, p, d, op = layer.kernel, layer.stride, layer.padding, layer.dilation, layer.output_padding
    if layer.kind == "id" and (k, s, p, d, op) != (1, 1, 0, 1, 0):
        return "an identity layer takes no kernel, stride, padding or dilation"
    if layer.kind == "pool" and (d != 1 or op):
        return "pool takes no dilation or output padding"
    if layer.kind == "conv" and op:
        return "output padding only exists for tconv"
    if layer.kind == "pool" and p > k // 2:
        return f"padding must be at most half the kernel for pool{k} (at most {k // 2}), got {p}"
    if layer.kind in ("conv", "tconv") and p > d * (k - 1):
        return f"padding must be at most d*(k-1) = {d * (k - 1)} for a kernel of {k} with dilation {d}, got {p}"
    if layer.kind == "tconv" and op >= max(s, d):
        return f"output padding must be smaller than the stride or the dilation (< {max(s, d)}), got {op}"
    return ""


# ---------------------------------------------------------------------------
# The whiteboard part: closed-form recurrences (convolution and pooling only)
# ---------------------------------------------------------------------------
# --8<-- [start:recurrence]
def closed_form(layers):
    """Textbook recurrences for conv/pool stacks: [(rf, jump, padding)] per layer.

    r_l = r_{l-1} + (k_eff - 1) * j_{l-1};  j_l = j_{l-1} * s;  P_l = P_{l-1} + p * j_{l-1}
    Output unit u of layer l then sees input pixels [u j_l - P_l, u j_l - P_l + r_l - 1].
    """
    rf, jump, pad, out = 1, 1, 0, []
    for layer in _layers(layers):
        if layer.kind == "tconv":
            raise ValueError("closed_form covers conv/pool stacks; use analyze() for tconv")
        rf += (layer.effective_kernel - 1) * jump   # k_eff = d (k - 1) + 1
        pad += layer.padding * jump
        jump *= layer.stride
        out.append((rf, jump, pad))
    return out
# --8<-- [end:recurrence]


# ---------------------------------------------------------------------------
# Exact propagation (any stack, including transposed convolution)
# ---------------------------------------------------------------------------
# --8<-- [start:taps]
def taps(layer: Layer, u: int) -> list[int]:
    """Units of the layer's input that output unit ``u`` reads (with repeats removed)."""
    k, s, p, d = layer.kernel, layer.stride, layer.padding, layer.dilation
    if layer.kind != "tconv":
        return [u * s - p + d * j for j in range(k)]
    # Transposed conv: input i writes to outputs i*s - p + d*j, so output u reads
    # every i with i*s = u + p - d*j.  How many such i exist depends on u mod s.
    return sorted({(u + p - d * j) // s for j in range(k) if (u + p - d * j) % s == 0})
# --8<-- [end:taps]


@dataclass
class _Level:
    period: int        # T: shifting a unit by T shifts its receptive field by delta pixels
    delta: int
    lo: list           # lo[r], hi[r]: field of unit r (0 <= r < T); None if it sees nothing
    hi: list

    def field(self, u):
        q, r = divmod(u, self.period)
        if self.lo[r] is None:
            return None
        return self.lo[r] + q * self.delta, self.hi[r] + q * self.delta


# --8<-- [start:propagate]
def _propagate(layers):
    """Exact field of every unit, one period per layer (no boundary effects)."""
    level, levels = _Level(1, 1, [0], [0]), []
    for layer in layers:
        s = layer.stride
        if layer.kind == "tconv":           # s output units per input unit
            period, delta = s * level.period, level.delta
        else:                               # s input units per output unit
            period = level.period // gcd(s, level.period)
            delta = s * period // level.period * level.delta
        if period > MAX_PERIOD:
            raise ValueError(f"the transposed convolutions repeat with period {period} > {MAX_PERIOD}")
        lo, hi = [], []
        for r in range(period):
            seen = [f for f in map(level.field, taps(layer, r)) if f is not None]
            lo.append(min(a for a, _ in seen) if seen else None)
            hi.append(max(b for _, b in seen) if seen else None)
        level = _Level(period, delta, lo, hi)
        if abs(delta) > MAX_SAFE or any(v is not None and abs(v) > MAX_SAFE // 2 for v in lo + hi):
            raise ValueError("numbers exceed 2^53: the network is too large to analyse exactly")
        levels.append(level)
    return levels
# --8<-- [end:propagate]


@dataclass(frozen=True)
class Row:
    index: int
    text: str
    stage: str
    kind: str
    rf_min: int
    rf_max: int
    uniform: bool
    jump: Fraction
    padding: int | None
    unit: int
    start: int | None
    end: int | None
    centre: float | None
    period: int
    empty: int
    layer: Layer = field(repr=False, default=None)

    def __getitem__(self, key):
        return getattr(self, key)

    @property
    def rf(self) -> int:
        """The receptive field when uniform; raises when it varies from unit to unit."""
        if not self.uniform:
            raise ValueError(f"layer {self.index} ({self.text}): the receptive field varies "
                             f"between {self.rf_min} and {self.rf_max}")
        return self.rf_max

    @property
    def rf_text(self) -> str:
        return str(self.rf_max) if self.uniform else f"{self.rf_min}–{self.rf_max}"

    @property
    def jump_text(self) -> str:
        return str(self.jump.numerator) if self.jump.denominator == 1 else \
            f"{self.jump.numerator}/{self.jump.denominator}"


def analyze(layers, unit: int = 0) -> list[Row]:
    """One Row per layer: receptive field (min/max over units), jump, padding, field of ``unit``."""
    layers = _layers(layers)
    unit = integer(unit, "unit", low=-MAX_SAFE // 4, high=MAX_SAFE // 4)
    rows = []
    for i, (layer, lv) in enumerate(zip(layers, _propagate(layers)), 1):
        sizes = [b - a + 1 for a, b in zip(lv.lo, lv.hi) if a is not None]
        sizes = sizes or [0]                # degenerate: every unit sees only biases
        f0, fu = lv.field(0), lv.field(unit)
        rows.append(Row(index=i, text=layer.text, stage=layer.stage, kind=layer.kind,
                        rf_min=min(sizes), rf_max=max(sizes), uniform=min(sizes) == max(sizes),
                        jump=Fraction(lv.delta, lv.period), padding=None if f0 is None else -f0[0],
                        unit=unit, start=None if fu is None else fu[0], end=None if fu is None else fu[1],
                        centre=None if fu is None else (fu[0] + fu[1]) / 2,
                        period=lv.period, empty=sum(a is None for a in lv.lo), layer=layer))
    return rows


def stage_table(layers, unit: int = 0) -> list[Row]:
    """The last row of every stage (consecutive layers with the same label)."""
    rows = analyze(layers, unit)
    return [r for r, nxt in zip(rows, rows[1:] + [None]) if nxt is None or nxt.stage != r.stage]


def table_text(rows) -> str:
    """Plain-text table of rows from analyze() or stage_table() (for pages and notebooks)."""
    lines = [f"{'#':>3}  {'stage':<8} {'layer':<14} {'RF':>9} {'jump':>5} {'padding':>7}"]
    for r in rows:
        pad = "-" if r.padding is None else str(r.padding)
        lines.append(f"{r.index:>3}  {r.stage:<8} {r.text:<14} {r.rf_text:>9} {r.jump_text:>5} {pad:>7}")
    return "\n".join(lines)


# --8<-- [start:support]
def support(layers, unit: int = 0, n: int | None = None) -> list[int]:
    """Input positions that output ``unit`` of the last layer actually reads (holes excluded).

    With an input length ``n``, units outside every layer's real output (padding,
    cropped borders) are dropped: that is the field of a unit near the image border.
    """
    layers = _layers(layers)
    unit = integer(unit, "unit", low=-MAX_SAFE // 4, high=MAX_SAFE // 4)
    _propagate(layers)                       # size checks before we enumerate
    sizes = [None] * (len(layers) + 1) if n is None else [integer(n, "n", low=1)] + output_sizes(layers, n)
    units = {unit}
    for level in range(len(layers), 0, -1):  # walk down: each unit -> the units it reads
        if sizes[level] is not None:
            units = {u for u in units if 0 <= u < sizes[level]}
        units = {i for u in units for i in taps(layers[level - 1], u)}
        if len(units) > 1_000_000:
            raise ValueError("receptive field too large to list pixel by pixel")
    if sizes[0] is not None:
        units = {u for u in units if 0 <= u < sizes[0]}
    return sorted(units)
# --8<-- [end:support]


def holes(layers, unit: int = 0) -> list[int]:
    """Positions inside the span [start, end] of ``unit`` that it never reads (gridding)."""
    seen = support(layers, unit)
    if not seen:
        return []
    present = set(seen)
    return [x for x in range(seen[0], seen[-1] + 1) if x not in present]


def contributing_units(layers, unit: int = 0) -> list[list[int]]:
    """For drawing: units of every level (input first) that ``unit`` depends on."""
    layers = _layers(layers)
    units, out = {unit}, [[unit]]
    for layer in reversed(layers):
        units = {i for u in units for i in taps(layer, u)}
        out.append(sorted(units))
    return out[::-1]


def output_sizes(layers, n: int) -> list[int]:
    """Output length after every layer for an input of length ``n`` (PyTorch formulas, floor mode)."""
    layers = _layers(layers)
    n = integer(n, "n", low=1)
    out = []
    for i, layer in enumerate(layers, 1):
        k_eff, s, p = layer.effective_kernel, layer.stride, layer.padding
        if layer.kind == "tconv":
            n = (n - 1) * s - 2 * p + k_eff + layer.output_padding
        else:
            n = (n + 2 * p - k_eff) // s + 1
        if n < 1:
            raise ValueError(f"layer {i} ({layer.text}): input too short, the output would be empty")
        out.append(n)
    return out


# ---------------------------------------------------------------------------
# Empirical check: which inputs influence which outputs, by forward impulses
# ---------------------------------------------------------------------------
# --8<-- [start:impulse]
def impulse_support(layers, n: int, seed=0) -> np.ndarray:
    """Boolean matrix M[o, x]: output o changes when input pixel x changes.

    Independent of the formulas: a real 1-D forward pass with random positive
    weights (so nothing cancels), zero padding, dilated kernels with zeros
    inserted, strides by slicing, and transposed convolution as zero insertion
    followed by an ordinary convolution.  Feeding the identity matrix pushes
    one impulse per input pixel at once.
    """
    from scipy.signal import correlate

    layers = _layers(layers)
    rng = rng_from(seed)
    n = integer(n, "n", low=1, high=4096)
    x = np.eye(n)                                          # row x = impulse at pixel x
    for layer in layers:
        k, s, p, d = layer.kernel, layer.stride, layer.padding, layer.dilation
        w = np.zeros(d * (k - 1) + 1)
        w[::d] = rng.uniform(0.5, 1.5, k)                  # dilated kernel: holes are zeros
        if layer.kind == "tconv":
            up = np.zeros((n, (x.shape[1] - 1) * s + 1))
            up[:, ::s] = x                                 # insert s-1 zeros between inputs
            edge = d * (k - 1) - p
            up = np.pad(up, ((0, 0), (edge, edge + layer.output_padding)))
            x = correlate(up, w[None, ::-1], mode="valid", method="direct")  # flipped kernel
        else:
            padded = np.pad(x, ((0, 0), (p, p)))
            x = correlate(padded, w[None, :], mode="valid", method="direct")[:, ::s]
    return (x > 0).T
# --8<-- [end:impulse]


# ---------------------------------------------------------------------------
# Effective receptive field (Luo et al., 2016)
# ---------------------------------------------------------------------------
# --8<-- [start:erf]
def effective_rf_profile(depth: int, kernel: int = 3):
    """Expected squared gradient of one output w.r.t. the input of a random linear conv stack.

    Back-propagating through ``depth`` stride-1 convolutions convolves their kernels.
    With independent zero-mean weights of equal variance, cross terms vanish in
    E[g^2], which becomes the number of input-to-output paths: the all-ones kernel
    convolved with itself ``depth`` times.  Returns (offsets, profile), profile
    summing to 1: Gaussian-like with standard deviation sqrt(depth (k^2 - 1) / 12).
    """
    depth = integer(depth, "depth", low=1, high=2000)
    kernel = integer(kernel, "kernel", low=1, high=51)
    profile = np.ones(1)
    for _ in range(depth):
        profile = np.convolve(profile, np.ones(kernel)) / kernel   # divide: no overflow
    offsets = np.arange(profile.size) - profile.size // 2
    return offsets, profile / profile.sum()
# --8<-- [end:erf]


def erf_std(depth: int, kernel: int = 3) -> float:
    """Theoretical standard deviation (in pixels) of the expected ERF profile."""
    depth = integer(depth, "depth", low=1)
    kernel = integer(kernel, "kernel", low=1)
    return float(np.sqrt(depth * (kernel**2 - 1) / 12))


# ---------------------------------------------------------------------------
# Hybrid dilated convolution (Wang et al., 2018) and TensorFlow's "SAME" padding
# ---------------------------------------------------------------------------
# --8<-- [start:hdc]
def hdc_distances(rates) -> list[int]:
    """HDC's M_i for dilation rates r_1..r_n (Wang et al., 2018): [M_1, ..., M_n].

    M_n = r_n,  M_i = max(M_{i+1} - 2 r_i,  M_{i+1} - 2 (M_{i+1} - r_i),  r_i).
    M_i bounds the largest gap between neighbouring input positions that layers
    i..n of 3x3 convs read (it is that gap when the rates do not decrease).
    The design rule is M_2 <= K (the kernel size), with r_1 = 1 so that the
    first layer fills those gaps, and rates without a common factor > 1.
    """
    if isinstance(rates, (str, bytes)) or not hasattr(rates, "__len__"):
        raise TypeError(f"rates must be a list of dilation rates, got {type(rates).__name__}")
    if len(rates) < 2:
        raise ValueError(f"rates needs at least 2 dilation rates (M_2 is defined from layer 2), got {len(rates)}")
    rates = [integer(r, f"rates[{i}]", low=1, high=LIMITS["dilation"]) for i, r in enumerate(rates)]
    m = [rates[-1]]                                   # M_n = r_n
    for r in reversed(rates[:-1]):                    # walk down to M_1
        nxt = m[0]
        m.insert(0, max(nxt - 2 * r, nxt - 2 * (nxt - r), r))
    return m
# --8<-- [end:hdc]


# --8<-- [start:same]
def same_padding(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's padding="SAME" for an input of length n: (left, right).

    The output has ceil(n / s) units; the total padding is whatever that needs,
    and the odd pixel goes to the right.  PyTorch's ``padding=p`` is always (p, p).
    """
    n = integer(n, "n", low=1)
    k_eff = integer(dilation, "dilation", low=1) * (integer(kernel, "kernel", low=1) - 1) + 1
    s = integer(stride, "stride", low=1)
    total = max((-(-n // s) - 1) * s + k_eff - n, 0)
    return total // 2, total - total // 2
# --8<-- [end:same]


# ---------------------------------------------------------------------------
# The compact text form
# ---------------------------------------------------------------------------
# Full-width punctuation (；（）：，) is accepted too: Chinese keyboards type it.
_TOKEN = re.compile(r"(?P<space>[ \t\r,，\u3000]+)|(?P<comment>#[^\n]*)|(?P<sep>[;\n；])|(?P<open>[(（])"
                    r"|(?P<close>[)）])|(?P<colon>[:：])|(?P<word>[A-Za-z0-9_.\-]+)|(?P<bad>.)")
_HEAD = re.compile(r"^(conv|pool|maxpool|avgpool|tconv|deconv|relu|bn|act|id|sc)([0-9]*)$")
_OPTION = re.compile(r"^(s|p|d|op|x|c|g)([0-9]+)$")
_KIND = {"conv": "conv", "pool": "pool", "maxpool": "pool", "avgpool": "pool", "tconv": "tconv",
         "deconv": "tconv", "relu": "id", "bn": "id", "act": "id", "id": "id", "sc": "id"}
_FIELD = {"s": "stride", "p": "padding", "d": "dilation", "op": "output_padding", "x": "repeat",
          "c": "channels", "g": "groups"}
_ALLOWED = {"conv": "spdcgx", "pool": "spx", "tconv": "spdocgx", "id": "x"}


def _tokens(text: str):
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind == "bad":
            raise ParseError(m.start() + 1, m.group(), f"unexpected character {m.group()!r}")
        out.append((kind, m.group(), m.start() + 1))
    out.append(("end", "", len(text) + 1))
    return out


# --8<-- [start:parse]
def parse(text: str) -> list[Layer]:
    """'conv3 s1 p1; pool2 s2; tconv4 s2 p1' -> [Layer, ...]; errors name the column and token."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    toks, pos = _tokens(text), [0]

    def peek(ahead=0):
        return toks[min(pos[0] + ahead, len(toks) - 1)]

    def take():
        tok = toks[pos[0]]
        pos[0] += 1
        return tok

    def sequence(stage, closing):
        layers = []
        while True:
            kind, value, col = peek()
            if kind == "word" and peek(1)[0] == "colon":
                take(), take()
                stage = value                       # a label holds until the next one
            elif kind == "sep":
                take()
            elif kind == "end" or (kind == "close" and closing):
                return layers
            elif kind == "close":
                raise ParseError(col, value, "')' without a matching '('")
            else:
                layers += item(stage)
                kind, value, col = peek()
                if kind not in ("sep", "end", "close"):
                    raise ParseError(col, value, "expected ';' between layers")
            if len(layers) > MAX_LAYERS:
                raise ParseError(col, value, f"more than {MAX_LAYERS} layers")

    def item(stage):
        kind, value, col = peek()
        if kind == "open":
            take()
            body = sequence(stage, closing=True)
            if peek()[0] != "close":
                raise ParseError(col, value, "'(' is never closed")
            take()
            if not body:
                raise ParseError(col, value, "empty group")
            body = _mark_blocks(body)
            times = repeat_option(stage)
            if len(body) * times > MAX_LAYERS:
                raise ParseError(col, value, f"more than {MAX_LAYERS} layers")
            return body * times
        if kind != "word":
            raise ParseError(col, value or "end of text", "expected a layer such as conv3")
        take()
        return layer(value, col, stage)

    def repeat_option(stage):
        kind, value, col = peek()
        if kind == "word":
            m = _OPTION.match(value.lower())
            if not m or m.group(1) != "x":
                raise ParseError(col, value, "only a repeat count such as x3 may follow a group")
            take()
            return _number(_int(m.group(2)), "repeat", col, value, low=1)
        return 1

    def layer(head, col, stage):
        m = _HEAD.match(head.lower())
        if not m:
            raise ParseError(col, head, "unknown layer; expected conv3, pool2, tconv4, relu, bn or id")
        kind = _KIND[m.group(1)]
        if kind == "id" and m.group(2):
            raise ParseError(col, head, "an identity layer takes no kernel size")
        if kind != "id" and not m.group(2):
            raise ParseError(col, head, f"missing kernel size, e.g. {m.group(1)}3")
        k = _number(_int(m.group(2)), "kernel", col, head, low=1) if kind != "id" else 1
        opts, last = {}, (col, head)
        while peek()[0] == "word":
            _, value, ocol = take()
            om = _OPTION.match(value.lower())
            if not om:
                raise ParseError(ocol, value, f"unknown option for {m.group(1)}; expected one of "
                                 + ", ".join(f"{o}N" for o in _allowed(kind)))
            name = om.group(1)
            if name not in _allowed(kind):
                raise ParseError(ocol, value, f"{m.group(1)} does not take option {name}")
            if name in opts:
                raise ParseError(ocol, value, f"option {name} given twice")
            low = 0 if name in ("p", "op") else 1
            opts[name] = _number(_int(om.group(2)), _FIELD[name], ocol, value, low=low)
            last = (ocol, value)
        s_default = k if kind == "pool" else 1
        lay = Layer(kind, k, opts.get("s", s_default), opts.get("p", 0), opts.get("d", 1),
                    opts.get("op", 0), stage, opts.get("c", 0), opts.get("g", 1), m.group(1))
        msg = _rule_violation(lay)
        if msg:
            want = "op" if "output padding" in msg else "p" if "padding" in msg else "?"
            bad = next(((c, v) for c, v in _option_tokens(toks, col) if _OPTION.match(v.lower())
                        and _OPTION.match(v.lower()).group(1) == want), last)
            raise ParseError(bad[0], bad[1], msg)
        return [lay] * opts.get("x", 1)

    layers = sequence("", closing=False)
    if not layers:
        raise ParseError(1, text.strip()[:20], "empty network: type at least one layer, e.g. conv3")
    return _mark_blocks(layers)
# --8<-- [end:parse]


def _mark_blocks(body: list[Layer]) -> list[Layer]:
    """Give every ``sc`` not yet inside a group its distance from the start of ``body``."""
    return [replace(lay, block=i) if lay.word == "sc" and lay.block < 0 else lay
            for i, lay in enumerate(body)]


def _int(digits: str) -> int:
    # More than 9 digits is out of every range anyway; the widget caps the same way.
    return int(digits) if len(digits) <= 9 else 10**9


def _allowed(kind):
    return ["op" if c == "o" else c for c in _ALLOWED[kind]]


def _number(value, name, col, token, low):
    high = LIMITS.get(name, LIMITS["stride"])
    if value < low:
        raise ParseError(col, token, f"{name} must be at least {low}, got {value}")
    if value > high:
        raise ParseError(col, token, f"{name} must be at most {high}, got {value}")
    return value


def _option_tokens(toks, head_col):
    """(column, text) of the option words that follow the layer word at ``head_col``."""
    i = next(i for i, t in enumerate(toks) if t[2] == head_col)
    out = []
    for kind, value, col in toks[i + 1:]:
        if kind != "word":
            break
        out.append((col, value))
    return out


def _layers(layers) -> list[Layer]:
    if isinstance(layers, str):
        return parse(layers)
    if isinstance(layers, Layer) or not hasattr(layers, "__iter__"):
        raise TypeError("layers must be a list of Layer objects or the compact text")
    layers = [check_layer(layer) for layer in layers]
    if not layers:
        raise ValueError("layers is empty: a network needs at least one layer")
    return layers


# ---------------------------------------------------------------------------
# Presets, written from the papers / reference implementations
# ---------------------------------------------------------------------------
def _resnet(blocks, stride_in_3x3: bool, dilate=(False, False, False)):
    """Main path of a bottleneck ResNet (the shortcut's field lies inside it)."""
    parts = ["stem: conv7 s2 p3; pool3 s2 p1"]
    dilation = 1
    for stage, (n, dil) in enumerate(zip(blocks, (False,) + tuple(dilate)), 2):
        name = f"conv{stage}_x"
        stride = 1 if stage == 2 else 2
        prev = dilation
        if dil:                      # torchvision: replace the stride by dilation
            dilation, stride = dilation * stride, 1
        d1 = prev                    # first block keeps the previous dilation
        if stride == 2 and not stride_in_3x3:
            first = f"conv1 s2; conv3 p{d1}{_d(d1)}; conv1"
        else:
            first = f"conv1; conv3{_s(stride)} p{d1}{_d(d1)}; conv1"
        rest = f"conv1; conv3 p{dilation}{_d(dilation)}; conv1"
        text = f"{name}: ({first})"
        if n > 1:
            text += f"; ({rest}) x{n - 1}"
        parts.append(text)
    return ";\n".join(parts)


def _s(s):
    return f" s{s}" if s != 1 else ""


def _d(d):
    return f" d{d}" if d != 1 else ""


_RESNET101_OS8 = _resnet((3, 4, 23, 3), True, (False, True, True))

PRESETS: dict[str, str] = {
    "alexnet": ("conv1: conv11 s4 p2; relu; pool3 s2;\nconv2: conv5 p2; relu; pool3 s2;\n"
                "conv3: conv3 p1; relu;\nconv4: conv3 p1; relu;\nconv5: conv3 p1; relu; pool3 s2"),
    "vgg16": ("conv1: (conv3 p1; relu) x2; pool2;\nconv2: (conv3 p1; relu) x2; pool2;\n"
              "conv3: (conv3 p1; relu) x3; pool2;\nconv4: (conv3 p1; relu) x3; pool2;\n"
              "conv5: (conv3 p1; relu) x3; pool2"),
    "resnet50-v1": _resnet((3, 4, 6, 3), stride_in_3x3=False),
    "resnet50-v1.5": _resnet((3, 4, 6, 3), stride_in_3x3=True),
    "unet": ("enc1: conv3; conv3; pool2;\nenc2: conv3; conv3; pool2;\nenc3: conv3; conv3; pool2;\n"
             "enc4: conv3; conv3; pool2;\nbottom: conv3; conv3;\ndec4: tconv2 s2; conv3; conv3;\n"
             "dec3: tconv2 s2; conv3; conv3;\ndec2: tconv2 s2; conv3; conv3;\n"
             "dec1: tconv2 s2; conv3; conv3; conv1"),
    "decoder-k3s2": ("enc: (conv3 s2 p1; relu) x3;\n"
                     "dec: (tconv3 s2 p1 op1; relu) x3"),
    "deeplabv3-backbone": _RESNET101_OS8,
    "deeplabv3-aspp12": _RESNET101_OS8 + ";\naspp: conv3 d12 p12",
    "deeplabv3-aspp24": _RESNET101_OS8 + ";\naspp: conv3 d24 p24",
    "deeplabv3-aspp36": _RESNET101_OS8 + ";\naspp: conv3 d36 p36",
}

PRESET_NOTES: dict[str, str] = {
    "alexnet": "torchvision alexnet (Krizhevsky et al. 2012 layout; conv1 padding 2 as in torchvision, "
               "the paper used an unpadded 227x227 input: same RF and jump, different offset)",
    "vgg16": "VGG-16, configuration D of Simonyan & Zisserman (2015)",
    "resnet50-v1": "ResNet-50 v1 stride placement (He et al. 2016): stride 2 in the first 1x1 conv of "
                   "conv3_1, conv4_1, conv5_1, on torchvision's layers (max pool 3x3 s2 with padding 1); "
                   "main path (the shortcut's field lies inside it). The released Caffe model pools with "
                   "pad 0 and ceil mode: same RF and jump, padding column 2 pixels smaller",
    "resnet50-v1.5": "ResNet-50 v1.5 (torchvision resnet50): stride 2 in the 3x3 conv of the first block "
                     "of conv3_x-conv5_x; main path",
    "unet": "U-Net (Ronneberger et al. 2015), unpadded 3x3 convs, deepest path through the bottleneck",
    "decoder-k3s2": "a small encoder-decoder whose up-sampling is tconv3 s2 p1 op1 (stride does not divide "
                    "the kernel: uneven receptive fields)",
    "deeplabv3-backbone": "torchvision deeplabv3_resnet101 backbone: ResNet-101 v1.5 with "
                          "replace_stride_with_dilation=[False, True, True] (output stride 8)",
    "deeplabv3-aspp12": "torchvision DeepLabV3 ASPP branch, 3x3 conv with rate 12 on the OS-8 backbone",
    "deeplabv3-aspp24": "torchvision DeepLabV3 ASPP branch, rate 24",
    "deeplabv3-aspp36": "torchvision DeepLabV3 ASPP branch, rate 36",
}
