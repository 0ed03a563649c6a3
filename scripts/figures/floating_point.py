"""Figures for the floating-point page."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from dlnotes.floating_point import FORMATS, fields
from scripts.figures import figure


def _bit_row(ax, y, bits, colors, label, cell=1.0):
    x = 0
    for part, color in zip(bits, colors):
        for b in part:
            ax.add_patch(Rectangle((x, y), cell, 0.8, facecolor=color, alpha=0.35, edgecolor=color, lw=0.6))
            ax.text(x + cell / 2, y + 0.4, b, ha="center", va="center", fontsize=6.5)
            x += cell
    ax.text(-0.8, y + 0.4, label, ha="right", va="center", fontsize=9)


@figure("floating-point-bits")
def bits_of_005_035(style):
    colors = (style.second, style.third, style.accent)
    fig, ax = plt.subplots(figsize=(8, 2.4))
    for row, x in enumerate((0.05, 0.35)):
        s, e, m = fields(x)
        y = 1.6 - row * 1.5
        _bit_row(ax, y, (s, e, m), colors, f"{x}")
        ax.text(0, y - 0.3, f"sign {s}, exponent {int(e, 2)} − 1023 = {int(e, 2) - 1023}", ha="left",
                va="center", fontsize=7, color=style.muted)
        ax.text(38, y - 0.3, "mantissa (52 bits): 1001 / 0110 repeats, last bit rounded", ha="center",
                va="center", fontsize=7, color=style.muted)
    ax.set_xlim(-6, 64.5)
    ax.set_ylim(-0.3, 2.6)
    ax.set_axis_off()
    ax.set_title("float64 bits: 1 sign, 11 exponent, 52 mantissa (implicit leading 1 not stored)", fontsize=9.5)
    fig.tight_layout()
    return fig


@figure("floating-point-ulp")
def ulp_vs_magnitude(style):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for (name, f), color in zip(FORMATS.items(), (style.fg, style.accent, style.second, style.third)):
        lo, hi = np.log2(f.min_normal), np.log2(f.max)
        e = np.arange(np.floor(max(lo, -40)), np.floor(min(hi, 40)) + 1)
        # spacing of representable numbers in [2^e, 2^(e+1)) is 2^(e - m): a staircase
        ax.step(2.0 ** e, 2.0 ** (e - f.mantissa), where="post", color=color, lw=1.6,
                label=f"{name}: ulp = 2^(e − {f.mantissa})")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_yticks([2.0 ** k for k in range(-96, 40, 32)])
    ax.set_xticks([2.0 ** k for k in range(-40, 41, 20)])
    ax.axvline(7, color=style.muted, ls=":", lw=1)
    ax.text(7 * 1.3, 2.0 ** -48, "7: float64 spacing 2⁻⁵⁰", fontsize=8, color=style.muted)
    ax.set_xlabel("magnitude |x| (normal range, clipped to 2^±40)")
    ax.set_ylabel("gap to the next number")
    ax.set_title("The gap between neighbouring floats grows with |x|: the relative error stays ≈ 2^−m", fontsize=9.5)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


@figure("floating-point-formats")
def formats(style):
    colors = (style.second, style.third, style.accent)
    fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(8, 4.3), gridspec_kw={"height_ratios": [1.1, 1]})
    for row, name in enumerate(("float32", "float16", "bfloat16")):
        f = FORMATS[name]
        y = 2.2 - row * 1.1
        x = 0
        for n, color, what in zip((1, f.exponent, f.mantissa), colors, ("s", "exponent", "mantissa")):
            ax0.add_patch(Rectangle((x, y), n, 0.8, facecolor=color, alpha=0.35, edgecolor=color))
            ax0.text(x + n / 2, y + 0.4, f"{what} {n}" if n > 1 else what, ha="center", va="center", fontsize=8)
            x += n
        ax0.text(-0.5, y + 0.4, f"{name} ({f.bits} bits)", ha="right", va="center", fontsize=9)
    ax0.set_xlim(-9, 32.5)
    ax0.set_ylim(0, 3.1)
    ax0.set_axis_off()
    ax0.set_title("bit layouts: bfloat16 keeps float32's 8 exponent bits, float16 keeps more mantissa", fontsize=9.5)
    for row, name in enumerate(("float32", "float16", "bfloat16")):
        f = FORMATS[name]
        lo, mid, hi = np.log10(f.min_subnormal), np.log10(f.min_normal), np.log10(f.max)
        ax1.barh(row, mid - lo, left=lo, color=colors[2], alpha=0.3, height=0.55)
        ax1.barh(row, hi - mid, left=mid, color=colors[2], alpha=0.8, height=0.55)
        ax1.text(hi + 0.8, row, f"max {f.max:.3g}, eps {f.eps:.2g}", va="center", fontsize=8)
    ax1.set_yticks(range(3), ["float32", "float16", "bfloat16"])
    ax1.invert_yaxis()
    ax1.set_xlim(-47, 62)
    ax1.set_xlabel("log10 |x|: light = subnormal, dark = normal range")
    fig.tight_layout()
    return fig
