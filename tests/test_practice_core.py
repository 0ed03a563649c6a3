"""The practice scheduler and storage (docs/assets/js/practice-core.js) under node: its own
unit tests (`node --test tests/js/`), and its intervals against an independent Python SM-2."""
import json
import math
import random
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "docs" / "assets" / "js" / "practice-core.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def test_node_unit_tests_pass():
    proc = subprocess.run([NODE, "--test", str(ROOT / "tests" / "js" / "practice-core.test.js")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def sm2(grades):
    """Reference SM-2 with four buttons, written from the formulas (not from the JS):
    I(1) = 1, I(2) = 6, I(n) = I(n-1) * EF; Hard 1.2x, Easy 1.3x bonus (first 4 then 8 days);
    EF += (-0.20, -0.15, 0, +0.15), floored at 1.3; Again resets the repetition count."""
    n, i, ef, out = 0, 0, 2.5, []
    half_up = lambda x: math.floor(x + 0.5)  # noqa: E731  (JS Math.round, not Python's banker's round)
    for g in grades:
        if g == 1:
            n, i = 0, 0
        else:
            if g == 2:
                i = 1 if n == 0 else max(i + 1, half_up(i * 1.2))
            elif g == 3:
                i = 1 if n == 0 else 6 if n == 1 else max(i + 1, half_up(i * ef))
            else:
                i = 4 if n == 0 else 8 if n == 1 else max(i + 1, half_up(i * ef * 1.3))
            n += 1
        ef = max(1.3, round(ef + {1: -0.2, 2: -0.15, 3: 0.0, 4: 0.15}[g], 2))
        out.append(i)
    return out


def test_intervals_match_an_independent_sm2():
    rng = random.Random(15)
    seqs = [[rng.choice([1, 2, 3, 3, 3, 4]) for _ in range(rng.randint(1, 12))] for _ in range(300)]
    script = (f"const P = require({json.dumps(str(CORE))}); const seqs = {json.dumps(seqs)};"
              "console.log(JSON.stringify(seqs.map(q => { let s = null, t = 0; return q.map(g => "
              "{ s = P.grade(s, g, t); t = Math.max(t, s.due); return s.i; }); })));")
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True,
                          env={"TZ": "UTC", "PATH": "/usr/bin:/bin"})
    got = json.loads(proc.stdout)
    for seq, js in zip(seqs, got):
        assert js == sm2(seq), seq
