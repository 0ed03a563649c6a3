"""Parameters and compute of CNN building blocks, and a per-layer counter for whole networks.

Convention, used everywhere on the page and in the tests: **compute is counted in
multiply-adds (MACs)**, one multiplication plus one addition counted once. That is
what He et al. (2016) call "FLOPs (multiply-adds)" and Howard et al. (2017) call
"Mult-Adds"; floating-point operations in the strict sense are about twice as many.
Only the products of convolution and fully connected weights are counted: biases,
BatchNorm, activations, pooling and the residual additions are not (they are
O(H W C), negligible next to O(H W C^2 k^2)). Parameters are the learnable tensors:
weights, biases and BatchNorm's scale and shift (its running statistics are buffers).

Public API::

    conv_params(k, c_in, c_out, groups=1, bias=False) -> int
    conv_macs(k, c_in, c_out, h_out, w_out=None, groups=1) -> int
    separable_ratio(k, c_out) -> float             MobileNet's 1/N + 1/k^2
    block_costs(c, size, kind) -> (params, macs)   ResNet basic vs bottleneck block
    se_params(c, r=16) -> int                      squeeze-and-excitation FC weights
    inception_costs(c_in, size, n1, r3, n3, r5, n5, proj, reduce=True) -> dict   weights per branch
    count(text, size=224, channels=3) -> list[CostRow]   per-layer table of a network
    totals(rows) -> (params, macs)
    cost_table(rows, stages=False) -> str
    PRESETS: dict[str, str], PRESET_NOTES          ResNet-18/34/50/101/152, MobileNet v1

``count`` reads the compact text of dlnotes.receptive_field (its ``parse`` is reused,
not copied), with three words that only the counter needs: ``c64`` sets a layer's
output channels, ``g32`` its groups, and ``sc`` closes a residual block: it adds the
input of the enclosing ``( ... )`` group, through an identity when the shapes match,
otherwise through a 1x1 convolution with BatchNorm (ResNet's projection shortcut).
A convolution directly followed by ``bn`` has no bias, any other has one (PyTorch's
default ``bias=True``; networks with BatchNorm set ``bias=False``).
"""
from __future__ import annotations

from dataclasses import dataclass

from dlnotes._check import integer
from dlnotes.receptive_field import analyze, output_sizes, parse

# --8<-- [start:formulas]
def conv_params(k: int, c_in: int, c_out: int, groups: int = 1, bias: bool = False) -> int:
    """Weights of a k x k convolution: each of the c_out filters sees c_in / groups channels."""
    k, c_in, c_out, groups = _conv_args(k, c_in, c_out, groups)
    return k * k * (c_in // groups) * c_out + (c_out if bias else 0)


def conv_macs(k: int, c_in: int, c_out: int, h_out: int, w_out: int | None = None, groups: int = 1) -> int:
    """Multiply-adds: one per weight per output position (biases not counted)."""
    h_out = integer(h_out, "h_out", low=1)
    w_out = h_out if w_out is None else integer(w_out, "w_out", low=1)
    return conv_params(k, c_in, c_out, groups) * h_out * w_out


def separable_ratio(k: int, c_out: int) -> float:
    """Cost of depthwise (k x k, groups = M) + pointwise (1 x 1, M -> N) over a full k x k conv.

    (k^2 M H W + M N H W) / (k^2 M N H W) = 1/N + 1/k^2, the same for parameters
    and for multiply-adds, independent of M and of the feature-map size.
    """
    k = integer(k, "k", low=1)
    c_out = integer(c_out, "c_out", low=1)
    return 1 / c_out + 1 / k**2
# --8<-- [end:formulas]


# --8<-- [start:blocks]
def block_costs(c: int, size: int, kind: str = "bottleneck") -> tuple[int, int]:
    """(params, MACs) of one stride-1 ResNet block on a size x size map, weights only.

    basic:      3x3, c -> c; 3x3, c -> c                       (ResNet-18/34; c = 64 ... 512)
    bottleneck: 1x1, 4c -> c; 3x3, c -> c; 1x1, c -> 4c        (ResNet-50+; in and out 4c)
    """
    c = integer(c, "c", low=1)
    size = integer(size, "size", low=1)
    if kind == "basic":
        layers = [(3, c, c), (3, c, c)]
    elif kind == "bottleneck":
        layers = [(1, 4 * c, c), (3, c, c), (1, c, 4 * c)]
    else:
        raise ValueError(f"kind must be 'basic' or 'bottleneck', got {kind!r}")
    params = sum(conv_params(k, a, b) for k, a, b in layers)
    return params, params * size * size
# --8<-- [end:blocks]


# --8<-- [start:se]
def se_params(c: int, r: int = 16, bias: bool = False) -> int:
    """Squeeze-and-excitation on c channels: FC c -> c/r, ReLU, FC c/r -> c, sigmoid.

    2 c^2 / r weights (Hu et al. 2018 count these); with bias, c/r + c more.
    """
    c = integer(c, "c", low=1)
    r = integer(r, "r", low=1)
    if c % r:
        raise ValueError(f"r must divide c, got c={c}, r={r}")
    return 2 * c * c // r + ((c // r + c) if bias else 0)
# --8<-- [end:se]


# --8<-- [start:inception]
def inception_costs(c_in: int, size: int, n1: int, r3: int, n3: int, r5: int, n5: int, proj: int,
                    reduce: bool = True) -> dict[str, int]:
    """Weights per branch of an Inception module (Szegedy et al. 2015, table 1 columns).

    Branches: 1x1 (n1); 1x1 reduce (r3) then 3x3 (n3); 1x1 reduce (r5) then 5x5 (n5);
    3x3 max pool then 1x1 projection (proj). With ``reduce=False`` the 3x3 and 5x5
    read all c_in channels directly. MACs = weights * size^2 (every conv keeps the size).
    """
    c_in, size = integer(c_in, "c_in", low=1), integer(size, "size", low=1)
    if reduce:
        b3 = conv_params(1, c_in, r3) + conv_params(3, r3, n3)
        b5 = conv_params(1, c_in, r5) + conv_params(5, r5, n5)
    else:
        b3, b5 = conv_params(3, c_in, n3), conv_params(5, c_in, n5)
    out = {"1x1": conv_params(1, c_in, n1), "3x3": b3, "5x5": b5, "pool": conv_params(1, c_in, proj)}
    out["total"] = sum(out.values())
    return out
# --8<-- [end:inception]


def _conv_args(k, c_in, c_out, groups):
    k = integer(k, "k", low=1)
    c_in = integer(c_in, "c_in", low=1)
    c_out = integer(c_out, "c_out", low=1)
    groups = integer(groups, "groups", low=1)
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups must divide c_in and c_out, got groups={groups}, c_in={c_in}, c_out={c_out}")
    return k, c_in, c_out, groups


# ---------------------------------------------------------------------------
# The counter
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CostRow:
    index: int
    stage: str
    text: str
    c_in: int
    c_out: int
    size: int          # output height = width
    params: int
    macs: int
    rf: str            # receptive field of this layer's units (dlnotes.receptive_field.analyze)
    jump: str


# --8<-- [start:count]
def count(text: str, size: int = 224, channels: int = 3) -> list[CostRow]:
    """Per-layer parameters, multiply-adds, output shape and receptive field of a network.

    >>> rows = count("conv3 p1 c64; bn; relu; conv3 p1 g64; bn; conv1 c128; bn; sc", size=32)
    >>> [(r.text, r.c_out, r.params, r.macs) for r in rows if r.macs]     # the layers that multiply
    [('conv3 p1 c64', 64, 1728, 1769472), ('conv3 p1 g64', 64, 576, 589824),
     ('conv1 c128', 128, 8192, 8388608), ('sc (1x1 projection)', 128, 640, 393216)]
    """
    size = integer(size, "size", low=1)
    channels = integer(channels, "channels", low=1)
    layers = parse(text) if isinstance(text, str) else _not_text(text)
    sizes = output_sizes(layers, size)            # PyTorch output lengths (square maps)
    fields = analyze(layers)
    shapes = [(channels, size)]                   # shapes[i] = input of layer i
    rows = []
    for i, (lay, n_out, rf) in enumerate(zip(layers, sizes, fields)):
        c_in, n_in = shapes[-1]
        c_out, params, macs, label = c_in, 0, 0, lay.text if lay.kind != "id" else lay.word
        if lay.kind in ("conv", "tconv"):
            c_out = lay.channels or c_in
            bias = not (i + 1 < len(layers) and layers[i + 1].word == "bn")
            params = _layer_params(lay, c_in, c_out, bias, i)
            weights = params - (c_out if bias else 0)
            macs = weights * (n_out * n_out if lay.kind == "conv" else n_in * n_in)
        elif lay.word == "bn":
            params = 2 * c_in                     # scale and shift per channel
        elif lay.word == "sc":
            params, macs, label = _shortcut(shapes[i - lay.block], (c_in, n_in), i)
        shapes.append((c_out, n_out))
        rows.append(CostRow(i + 1, lay.stage, label, c_in, c_out, n_out, params, macs,
                            rf.rf_text, rf.jump_text))
    return rows


def _shortcut(block_in, here, i):
    """The residual add: identity if the shapes agree, else a 1x1 conv + BN (strided if the map shrinks)."""
    (c0, n0), (c1, n1) = block_in, here
    if (c0, n0) == (c1, n1):
        return 0, 0, "sc (identity)"
    stride = -(-n0 // n1)
    if n1 > n0 or (n0 - 1) // stride + 1 != n1:
        raise ValueError(f"layer {i + 1} (sc): the block changes the map from {n0} to {n1}, "
                         "which a strided 1x1 shortcut cannot match")
    return c0 * c1 + 2 * c1, c0 * c1 * n1 * n1, "sc (1x1 projection)"
# --8<-- [end:count]


def _layer_params(lay, c_in, c_out, bias, i):
    if c_in % lay.groups or c_out % lay.groups:
        raise ValueError(f"layer {i + 1} ({lay.text}): groups={lay.groups} must divide the input "
                         f"channels {c_in} and the output channels {c_out}")
    return conv_params(lay.kernel, c_in, c_out, lay.groups, bias)


def _not_text(text):
    raise TypeError(f"text must be the compact layer text (a str), got {type(text).__name__}")


def totals(rows) -> tuple[int, int]:
    """(parameters, multiply-adds) summed over the rows of count()."""
    return sum(r.params for r in rows), sum(r.macs for r in rows)


def cost_table(rows, stages: bool = False) -> str:
    """Plain-text table; with ``stages=True`` one line per labelled stage (sums, last shape)."""
    if stages:
        groups: dict[str, list[CostRow]] = {}
        for r in rows:
            groups.setdefault(r.stage, []).append(r)
        rows = [CostRow(g[-1].index, name, f"{len(g)} layers", g[0].c_in, g[-1].c_out, g[-1].size,
                        sum(r.params for r in g), sum(r.macs for r in g), g[-1].rf, g[-1].jump)
                for name, g in groups.items()]
    lines = [f"{'stage':<8} {'layer':<20} {'out shape':>14} {'params':>10} {'MACs':>13} {'RF':>5}"]
    for r in rows:
        shape = f"{r.c_out}x{r.size}x{r.size}"
        lines.append(f"{r.stage:<8} {r.text:<20} {shape:>14} {r.params:>10,} {r.macs:>13,} {r.rf:>5}")
    p, m = totals(rows)
    lines.append(f"{'total':<8} {'':<20} {'':>14} {p:>10,} {m:>13,}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Presets, written from the papers and torchvision's reference implementations
# ---------------------------------------------------------------------------
_RESNET_BLOCKS = {18: ("basic", (2, 2, 2, 2)), 34: ("basic", (3, 4, 6, 3)),
                  50: ("bottleneck", (3, 4, 6, 3)), 101: ("bottleneck", (3, 4, 23, 3)),
                  152: ("bottleneck", (3, 8, 36, 3))}


def resnet_text(depth: int = 50, stride_in_3x3: bool = False, groups: int = 1, width: int = 64) -> str:
    """ResNet-depth (He et al. 2016, table 1) in the compact text, with channels, BN and shortcuts.

    ``stride_in_3x3=False`` is the paper's v1 (stride 2 in the first 1x1 of conv3_1,
    conv4_1, conv5_1); ``True`` is torchvision's v1.5. Basic blocks have no 1x1, so the
    flag changes nothing for ResNet-18/34. Shortcuts are option B: projection only
    where the shape changes. ``groups=32, width=4`` gives ResNeXt-50 (32x4d) (Xie et al.
    2017): the 3x3 of every bottleneck is a grouped conv of groups * width * 2^(stage-2) channels.
    """
    if depth not in _RESNET_BLOCKS:
        raise ValueError(f"depth must be one of {sorted(_RESNET_BLOCKS)}, got {depth!r}")
    kind, blocks = _RESNET_BLOCKS[depth]
    parts = ["stem: conv7 s2 p3 c64; bn; relu; pool3 s2 p1"]
    for stage, (n, out4) in enumerate(zip(blocks, (64, 128, 256, 512)), 2):
        mid = out4 if groups == 1 else groups * width * 2 ** (stage - 2)
        g = f" g{groups}" if groups != 1 else ""
        s = 1 if stage == 2 else 2
        blk = []
        for j in range(n):
            st = s if j == 0 else 1
            ss = f" s{st}" if st != 1 else ""
            if kind == "basic":
                body = f"conv3{ss} p1 c{out4}; bn; relu; conv3 p1 c{out4}; bn; sc; relu"
            elif stride_in_3x3:
                body = f"conv1 c{mid}; bn; relu; conv3{ss} p1 c{mid}{g}; bn; relu; conv1 c{4 * out4}; bn; sc; relu"
            else:
                body = f"conv1{ss} c{mid}; bn; relu; conv3 p1 c{mid}{g}; bn; relu; conv1 c{4 * out4}; bn; sc; relu"
            blk.append(f"({body})")
        first, rest = blk[0], blk[1]
        text = f"conv{stage}_x: {first}"
        if n > 1:
            text += f"; {rest} x{n - 1}"
        parts.append(text)
    parts.append("head: pool7; conv1 c1000    # global 7x7 average pool; FC as a 1x1 conv (with bias)")
    return ";\n".join(parts)


def mobilenet_v1_text() -> str:
    """MobileNet v1, width 1.0, 224 x 224 (Howard et al. 2017, table 1): BN + ReLU after every conv.

    Table 1 prints the last depthwise layer as "Conv dw / s2" on a 7x7 input; the
    7x7 map that the 7x7 average pool then reads needs stride 1 there, as used here.
    """
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    parts, c = ["stem: conv3 s2 p1 c32; bn; relu"], 32
    for i, (out, s) in enumerate(plan, 1):
        ss = f" s{s}" if s != 1 else ""
        parts.append(f"dw{i}: conv3{ss} p1 g{c}; bn; relu; conv1 c{out}; bn; relu")
        c = out
    parts.append("head: pool7; conv1 c1000")
    return ";\n".join(parts)


PRESETS: dict[str, str] = {
    "resnet18": resnet_text(18),
    "resnet34": resnet_text(34),
    "resnet50-v1": resnet_text(50),
    "resnet50-v1.5": resnet_text(50, stride_in_3x3=True),
    "resnet101-v1": resnet_text(101),
    "resnet152-v1": resnet_text(152),
    "resnext50-32x4d": resnet_text(50, stride_in_3x3=True, groups=32, width=4),
    "mobilenet-v1": mobilenet_v1_text(),
}

PRESET_NOTES: dict[str, str] = {
    "resnet50-v1": "He et al. 2016, table 1; stride in the first 1x1 of each down-sampling block",
    "resnet50-v1.5": "torchvision resnet50: stride in the 3x3 of each down-sampling block",
    "resnext50-32x4d": "Xie et al. 2017, table 1 (torchvision resnext50_32x4d): stride in the grouped 3x3",
    "mobilenet-v1": "Howard et al. 2017, table 1, width multiplier 1.0, 224 x 224",
}
