"""Background work of a build: the stale figures and labs, shared out to one worker process
per core, longest job first.

A cold build has ~80 figures and ~17 labs to make, two to fourteen seconds each. Two worker
processes (``python -m scripts.site.background``) each take the next job as soon as they are
free, longest first by what it took last time (greedy list scheduling), so both cores stay
busy to the end and no long lab starts last. A job names a function by module and name, so
this module imports none of the modules it runs (``figures.jobs`` and ``labs.jobs`` make
them); it runs in a fresh process, so ``mkdocs serve`` always uses the code as edited.

Events: ``on_pre_build`` (``run``, from the hook). Owns ``.cache/background-seconds.json``
(the last duration of each job, for the order). Must not touch: anything a job writes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from scripts.site.common import CACHE_DIR, ONE_THREAD_ENV, ROOT, Job, log

TIMES = CACHE_DIR / "background-seconds.json"


def run(jobs: list[Job], workers: int = min(2, os.cpu_count() or 1)) -> dict[str, float]:
    """Run every job in ``workers`` processes; return seconds per job key.

    Fails the build (SystemExit) with the error of every failed job, after all have run."""
    if not jobs:
        return {}
    last = _read_times()
    todo = sorted(jobs, key=lambda j: -last.get(j.key, j.guess))
    log.info("building %d job(s) in %d worker process(es): %s", len(todo), min(workers, len(todo)),
             ", ".join(j.key for j in todo))
    lock, seconds, errors = threading.Lock(), {}, []

    def serve_one_worker():
        with _Worker() as worker:
            while True:
                with lock:
                    if not todo:
                        return
                    job = todo.pop(0)
                ok, took, error = worker.call(job)
                with lock:
                    seconds[job.key] = took
                    if not ok:
                        errors.append(f"{job.label or job.key}:\n{error}")

    threads = [threading.Thread(target=serve_one_worker) for _ in range(min(workers, len(jobs)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _write_times({**last, **{k: round(v, 2) for k, v in seconds.items()}})   # the next build's order
    if errors:
        raise SystemExit("background build failed:\n" + "\n".join(errors))
    return seconds


def _read_times() -> dict[str, float]:
    try:
        return json.loads(TIMES.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_times(times: dict[str, float]) -> None:
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    tmp = TIMES.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(times, sort_keys=True, indent=0), encoding="utf-8")
    tmp.replace(TIMES)


class _Worker:
    """One worker process: a job per line on its stdin, a result per line on its stdout.
    A worker that died (a job called os._exit, a crash) is replaced for the next job."""

    def __enter__(self):
        self.proc = None
        return self

    def _start(self):
        self.errors = tempfile.TemporaryFile()     # a file, not a pipe: a full pipe would stall it
        self.proc = subprocess.Popen([sys.executable, "-m", "scripts.site.background"], cwd=ROOT,
                                     env=ONE_THREAD_ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.errors, text=True)

    def call(self, job: Job) -> tuple[bool, float, str]:
        if self.proc is None or self.proc.poll() is not None:
            self.__exit__()
            self._start()
        t0 = time.perf_counter()
        try:
            self.proc.stdin.write(json.dumps([job.module, job.function, list(job.args)]) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:                               # the worker died: say why
            self.proc.wait()
            self.errors.seek(0)
            why = self.errors.read().decode(errors="replace")[-4000:]
            return False, time.perf_counter() - t0, why or f"worker exited with code {self.proc.returncode}"
        result = json.loads(line)
        return result["ok"], result["seconds"], result.get("error", "")

    def __exit__(self, *exc):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.stdin.close()
        self.proc.wait()
        self.proc.stdout.close()
        self.errors.close()
        self.proc = None


def _serve() -> None:
    """The worker's loop. Results go to a private copy of stdout; fd 1 itself is pointed at
    stderr, so a job (or a kernel it starts) that prints cannot corrupt the protocol."""
    import importlib

    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        module, function, args = json.loads(line)
        t0 = time.perf_counter()
        try:
            getattr(importlib.import_module(module), function)(*args)
            result = {"ok": True}
        except BaseException:                      # report it; the parent fails the build
            result = {"ok": False, "error": traceback.format_exc()[-4000:]}
        result["seconds"] = time.perf_counter() - t0
        out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    _serve()
