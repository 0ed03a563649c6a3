"""Build every figure: ``python -m scripts.figures [--force] [--out DIR] [NAME ...]``."""
import argparse
from pathlib import Path

from scripts.figures import OUT_DIR, build

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("names", nargs="*", help="figures to build (default: all)")
parser.add_argument("--out", type=Path, default=OUT_DIR)
parser.add_argument("--force", action="store_true", help="ignore the cache")
args = parser.parse_args()
timings = build(args.names or None, out_dir=args.out, force=args.force)
print(f"{len(timings)} figures, {sum(timings.values()):.2f} s drawn in {args.out}")
