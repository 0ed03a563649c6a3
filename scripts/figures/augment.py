"""Figures for the Data augmentation page.

Photos come from packages already installed (scikit-image sample data: Chelsea
the cat and the coffee cup, both CC0; the astronaut, public domain). Tiles are
placed at exact pixel positions so the photos are not resampled by matplotlib,
and kept small because galleries are the heaviest pages of the site.
"""
import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage, stats
from scipy.spatial import ConvexHull
from skimage import color, data, exposure, filters, segmentation, transform, util

from dlnotes.augment import blend, cutmix, cutout, one_hot, random_erasing, sample_pairing
from dlnotes.smote import smote
from scripts.figures import SAVE_DPI, figure

SEED = 7
DPI = SAVE_DPI     # the builder's savefig.dpi: 1 image pixel = 1/DPI inch
TILE = 96          # gallery tile side in pixels: galleries have a 450 KB page budget
SLIDER = 176       # slider photo side in pixels
PHOTO_COLOURS = 64 # shared palette per photo figure: PNGs about 25 % smaller, barely visible


def square(img, size):
    """Centre-crop to a square and resize to size x size, as uint8 RGB."""
    h, w = img.shape[:2]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    out = transform.resize(img[top:top + s, left:left + s], (size, size), anti_aliasing=True)
    return util.img_as_ubyte(out)


def cat(size=TILE):
    return square(data.chelsea(), size)


def coffee(size=TILE):
    return square(data.coffee(), size)


def astronaut(size=TILE):
    return util.img_as_ubyte(transform.resize(data.astronaut(), (size, size), anti_aliasing=True))


def _u8(img):
    return util.img_as_ubyte(np.clip(img, 0, 1)) if img.dtype != np.uint8 else img


def posterize(images, colours=PHOTO_COLOURS):
    """Map uint8 RGB images onto one shared palette of ``colours`` colours (deterministic)."""
    from PIL import Image

    rgb = [color.gray2rgb(im) if im.ndim == 2 else im for im in images]
    rgb = [util.img_as_ubyte(np.clip(im, 0, 1)) if im.dtype != np.uint8 else im for im in rgb]
    strip = Image.fromarray(np.concatenate([im.reshape(-1, 3) for im in rgb])[None])
    pal = strip.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    flat = np.asarray(pal.convert("RGB"))[0]
    out, start = [], 0
    for im in rgb:
        n = im.shape[0] * im.shape[1]
        out.append(flat[start:start + n].reshape(im.shape))
        start += n
    return out


def tiles_figure(style, tiles, ncols, tile=TILE, text_px=36, gap=44):
    """Grid of (image, caption) tiles at exact pixel size, caption under each."""
    tiles = list(zip(posterize([im for im, _ in tiles]), [c for _, c in tiles]))
    nrows = -(-len(tiles) // ncols)
    cell_w, cell_h = tile + gap, tile + text_px
    W, H = ncols * cell_w, nrows * cell_h
    fig = plt.figure(figsize=(W / DPI, H / DPI))
    for i, (img, caption) in enumerate(tiles):
        r, c = divmod(i, ncols)
        x0, y0 = c * cell_w + gap / 2, H - (r * cell_h + tile)
        ax = fig.add_axes((x0 / W, y0 / H, tile / W, tile / H))
        ax.imshow(img, interpolation="nearest", cmap="gray" if img.ndim == 2 else None,
                  vmin=0, vmax=255 if img.dtype == np.uint8 else 1)
        ax.set_axis_off()
        fig.text((x0 + tile / 2) / W, (y0 - 3) / H, caption, ha="center", va="top",
                 fontsize=6, color=style.fg, linespacing=1.15)
    return fig


# ----------------------------------------------------------- geometric gallery
def _warp(img, tform):
    return _u8(transform.warp(img, tform.inverse, mode="constant", cval=0.0))


def geometric_tiles():
    img = astronaut()
    n = TILE
    rng = np.random.default_rng(SEED)
    crop = util.img_as_ubyte(transform.resize(img[n // 7:n * 6 // 7, n // 5:n], (n, n), anti_aliasing=True))
    centre = transform.SimilarityTransform(translation=(-n / 2, -n / 2))
    back = transform.SimilarityTransform(translation=(n / 2, n / 2))
    scaled = _warp(img, centre + transform.AffineTransform(scale=(0.7, 0.7)) + back)
    affine = _warp(img, centre + transform.AffineTransform(shear=0.3, rotation=0.1) + back)
    src = np.array([[0, 0], [n, 0], [n, n], [0, n]], float)
    dst = src + rng.uniform(-0.12, 0.12, size=(4, 2)) * n
    proj = transform.ProjectiveTransform.from_estimate(src, dst) \
        if hasattr(transform.ProjectiveTransform, "from_estimate") else None
    if proj is None:                                   # older scikit-image
        proj = transform.ProjectiveTransform()
        proj.estimate(src, dst)
    persp = _warp(img, proj)
    rrc = util.img_as_ubyte(transform.resize(img[n // 4:n * 3 // 4, 0:n * 7 // 8], (n, n), anti_aliasing=True))
    return [
        (img, "original\n512 → 96 px"),
        (crop, "random crop\n70 % box"),
        (img[:, ::-1], "horizontal flip\nmirror"),
        (_u8(transform.rotate(img, 20, mode="constant")), "rotation\n20°"),
        (scaled, "scaling\n×0.7"),
        (affine, "affine\nshear 0.3, rot. 0.1"),
        (persp, "perspective\ncorners ±12 %"),
        (rrc, "resized crop\n50 % × 88 %"),
    ]


@figure("augment-gallery-geometric")
def gallery_geometric(style):
    """Spatial (geometric) transforms on one photo, parameters under each tile."""
    return tiles_figure(style, geometric_tiles(), ncols=4)


# ---------------------------------------------------------- photometric gallery
def photometric_tiles():
    img = astronaut()
    f = util.img_as_float(img)
    rng = np.random.default_rng(SEED)
    gray = color.rgb2gray(f)
    hsv = color.rgb2hsv(f)
    hsv[..., 0] = (hsv[..., 0] + 0.12) % 1.0           # hue shift
    hsv[..., 1] = np.clip(hsv[..., 1] * 1.6, 0, 1)     # more saturation
    jitter = np.clip(f + np.array([0.12, -0.06, -0.10]), 0, 1)
    labels = segmentation.slic(img, n_segments=80, compactness=10, start_label=1)
    emboss_k = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], float)
    emboss = np.clip(ndimage.convolve(gray, emboss_k, mode="nearest") * 0.5 + 0.25, 0, 1)
    return [
        (_u8(util.random_noise(f, mode="gaussian", var=0.01, rng=SEED)), "Gaussian noise\nσ = 0.1 (range 0–1)"),
        (_u8(filters.gaussian(f, sigma=1.5, channel_axis=-1)), "Gaussian blur\nσ = 1.5 px"),
        (_u8(color.hsv2rgb(hsv)), "HSV jitter\nhue +0.12, sat. ×1.6"),
        (_u8(exposure.adjust_gamma(f, 0.5)), "contrast / brightness\ngamma 0.5"),
        (_u8(jitter), "RGB shift\n+0.12, −0.06, −0.10"),
        (random_erasing(img, p=1.0, area=(0.1, 0.2), seed=rng), "random erasing\narea 10–20 %, noise"),
        (cutout(img, 34, seed=rng), "Cutout\n34×34 square of 0"),
        (_u8(color.label2rgb(labels, f, kind="avg", bg_label=0)), "superpixels\nSLIC, 80 segments"),
        (_u8(filters.sobel(gray) * 3), "edge detection\nSobel magnitude"),
        (_u8(f + 1.5 * (f - filters.gaussian(f, sigma=2, channel_axis=-1))), "sharpen\nunsharp mask σ 2, ×1.5"),
        (_u8(emboss), "emboss\n3×3 kernel"),
        (_u8(color.gray2rgb(gray)), "greyscale\nluminance only"),
    ]


@figure("augment-gallery-photometric")
def gallery_photometric(style):
    """Pixel (colour, noise, filter) transforms on one photo."""
    return tiles_figure(style, photometric_tiles(), ncols=4)


# ------------------------------------------------------------------ mixup
LAMS = (1.0, 0.75, 0.5, 0.25, 0.0)


@figure("augment-mixup-grid")
def mixup_grid(style):
    """One pair mixed over a grid of lambda, soft label under each tile."""
    a, b = cat(), coffee()
    tiles = [(blend(a, b, lam), f"λ = {lam:.2f}\ncat {lam:.2f} · cup {1 - lam:.2f}") for lam in LAMS]
    return tiles_figure(style, tiles, ncols=len(tiles), gap=40)


@figure("augment-beta")
def beta_density(style):
    """Beta(alpha, alpha) densities and the chance that lambda is far from 0 and 1."""
    lam = np.linspace(0.001, 0.999, 500)
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    for alpha, colour in zip((0.2, 1.0, 4.0), (style.accent, style.second, style.third)):
        mid = stats.beta.cdf(0.9, alpha, alpha) - stats.beta.cdf(0.1, alpha, alpha)
        ax.plot(lam, stats.beta.pdf(lam, alpha, alpha), color=colour, lw=2,
                label=f"α = {alpha:g}: P(0.1 < λ < 0.9) = {mid:.2f}")
    ax.axvspan(0.1, 0.9, color=style.grid, alpha=0.35, lw=0)
    ax.set_ylim(0, 4)
    ax.set_xlabel("mixing weight λ (weight of the first image and its label)")
    ax.set_ylabel("density of Beta(α, α)")
    ax.set_title("Small α: most mixes are nearly one image; large α: close to 50/50", fontsize=10)
    ax.legend(fontsize=8, loc="upper center")
    fig.tight_layout()
    return fig


def compare_tiles():
    a, b = cat(), coffee()
    x = np.stack([a, b])
    y = one_hot(np.array([0, 1]), 2)
    rng = np.random.default_rng(SEED)
    # Fix the permutation to "swap the two", so image 0 is mixed with image 1.
    lam = 0.6
    mixed = blend(a, b, lam)
    cm_x, cm_y = _cutmix_pair(x, y, lam=0.6, rng=rng)
    sp_x, sp_labels, _ = _pairing_pair(x)
    return [
        (mixed, f"mixup, λ = {lam}\ncat {lam:.2f} · cup {1 - lam:.2f}"),
        (cm_x, f"CutMix, λ = 0.6\ncat {cm_y[0]:.2f} · cup {cm_y[1]:.2f}"),
        (cutout(a, 40, seed=3), "Cutout on A\ncat 1 · cup 0"),
        (sp_x, "SamplePairing\ncat 1 · cup 0"),
    ]


def _cutmix_pair(x, y, lam, rng):
    """Run cutmix until image 0's partner is image 1 (a 2-image batch swaps half the time)."""
    while True:
        xm, ym, _, perm, _ = cutmix(x, y, lam=lam, seed=rng)
        if perm[0] == 1:
            return xm[0], ym[0]


def _pairing_pair(x):
    seed = 0
    while True:
        xp, labels, partner = sample_pairing(x, np.array([0, 1]), seed=seed)
        if partner[0] == 1:
            return xp[0], labels[0], partner
        seed += 1


@figure("augment-compare")
def compare(style):
    """mixup, CutMix, Cutout and SamplePairing on the same pair, with their labels."""
    return tiles_figure(style, compare_tiles(), ncols=4, gap=44)


# ------------------------------------------------------------------ slider photos
@figure("augment-slider-cat")
def slider_cat(style):
    """Photo only, no axes: image A of the interactive slider."""
    return _photo(cat(SLIDER))


@figure("augment-slider-cup")
def slider_cup(style):
    """Photo only, no axes: image B of the interactive slider."""
    return _photo(coffee(SLIDER))


def _photo(img):
    img = posterize([img])[0]
    fig = plt.figure(figsize=(img.shape[1] / DPI, img.shape[0] / DPI))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(img, interpolation="nearest")
    ax.set_axis_off()
    return fig


# ------------------------------------------------------------------ label preservation
@figure("augment-six-nine")
def six_nine(style):
    """A digit 6 rotated by 180 degrees reads as a 9: rotation is not label-preserving."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    six = digits.images[digits.target == 6][0]
    nine = digits.images[digits.target == 9][0]
    fig, axes = plt.subplots(1, 4, figsize=(5.6, 1.9))
    panels = [(six, "a 6"), (np.rot90(six, 2), "the 6 rotated 180°"),
              (nine, "a real 9"), (six[:, ::-1], "the 6 flipped\nleft-right")]
    for ax, (img, title) in zip(axes, panels):
        ax.imshow(img, cmap="gray_r" if style.scheme == "light" else "gray", interpolation="nearest")
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ SMOTE and the hull
def smote_data():
    rng = np.random.default_rng(SEED)
    X_min = rng.normal([0.0, 0.0], [1.0, 0.6], size=(12, 2))
    return X_min, *smote(X_min, 40, k=3, seed=SEED)


def moons_data():
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=(160, 16), noise=0.06, random_state=SEED)
    X_min = X[y == 1]
    X_new, pairs = smote(X_min, 60, k=5, seed=SEED)
    return X[y == 0], X_min, X_new, pairs


@figure("augment-smote")
def smote_figure(style):
    """SMOTE points on neighbour segments, and the convex hull they cannot leave."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
    X_min, X_new, pairs = smote_data()
    ax = axes[0]
    for a, b in {tuple(p) for p in pairs.tolist()}:
        ax.plot(*X_min[[a, b]].T, color=style.off, lw=1, zorder=1)
    ax.scatter(*X_min.T, s=40, color=style.accent, label="minority samples", zorder=3)
    ax.scatter(*X_new.T, s=14, marker="x", color=style.second, label="SMOTE points (k = 3)", zorder=2)
    ax.set_title("each new point lies on a sample–neighbour segment", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_aspect("equal")

    ax = axes[1]
    X_maj, X_min, X_new, pairs = moons_data()
    hull = ConvexHull(X_min)
    ring = np.append(hull.vertices, hull.vertices[0])
    ax.fill(*X_min[ring].T, color=style.accent, alpha=0.12, lw=0)
    ax.plot(*X_min[ring].T, color=style.accent, lw=1, ls="--", label="convex hull of the minority")
    ax.scatter(*X_maj.T, s=8, color=style.muted, label="majority", zorder=1)
    ax.scatter(*X_min.T, s=30, color=style.accent, label="minority", zorder=3)
    ax.scatter(*X_new.T, s=14, marker="x", color=style.second, label="SMOTE (k = 5)", zorder=2)
    ax.set_title("inside the hull, not necessarily inside the class", fontsize=9)
    ax.set_ylim(-1.45, 1.15)                           # room for the legend under the moons
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    ax.set_aspect("equal")
    for a in axes:
        a.set_xticks([])
        a.set_yticks([])
    fig.tight_layout()
    return fig
