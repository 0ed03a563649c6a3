"""scripts/site/background.py: jobs run in two worker processes, longest first by the last
build's times; a failing or dying job fails the build with its error after the others ran;
a job's own printing cannot corrupt the protocol."""
import os
import time

import pytest

from scripts.site import background
from scripts.site.common import Job


# ---- job functions, run in the worker processes (this module is imported there) -------------
def record(path, name, seconds):
    """Sleep, then append '<name> <pid> <start>' to ``path``."""
    start = time.time()
    time.sleep(seconds)
    with open(path, "a") as fh:
        fh.write(f"{name} {os.getpid()} {start:.3f}\n")


def noisy(path):
    print("a job that prints to stdout")                 # must not be taken for a result
    os.write(1, b"and writes to fd 1 directly\n")
    record(path, "noisy", 0)


def fail():
    raise ValueError("this job is broken")


def die():
    os._exit(3)


def job(name, fn="record", *args, guess=1.0):
    return Job(f"test:{name}", __name__, fn, args, guess=guess, label=name)


@pytest.fixture(autouse=True)
def times_file(tmp_path, monkeypatch):
    monkeypatch.setattr(background, "TIMES", tmp_path / "seconds.json")
    return tmp_path / "seconds.json"


def runs(path):
    return [line.split() for line in path.read_text().splitlines()]


def test_two_workers_longest_first_and_times_remembered(tmp_path, times_file):
    log = tmp_path / "log"
    jobs = [job("short", "record", str(log), "short", 0.1, guess=0.1),
            job("long", "record", str(log), "long", 0.6, guess=0.6),
            job("mid", "record", str(log), "mid", 0.3, guess=0.3),
            job("noisy", "noisy", str(log), guess=0.05)]
    t0 = time.perf_counter()
    seconds = background.run(jobs, workers=2)
    wall = time.perf_counter() - t0
    done = runs(log)
    assert sorted(n for n, _, _ in done) == ["long", "mid", "noisy", "short"]
    assert len({pid for _, pid, _ in done}) == 2, "both workers took jobs"
    starts = {n: float(t) for n, _, t in done}
    assert starts["long"] <= starts["short"] and starts["mid"] <= starts["short"], "longest first"
    assert seconds["test:long"] >= 0.6 and seconds["test:short"] >= 0.1
    assert wall < 0.6 + 0.3 + 0.1 + 0.05, "in parallel, not one after another"
    remembered = background._read_times()
    assert remembered["test:long"] == pytest.approx(seconds["test:long"], abs=0.01)

    # Next build: the remembered times, not the guesses, decide the order.
    log.unlink()
    background.run([job("was-short", "record", str(log), "a", 0.0, guess=9),
                    job("test-long-again", "record", str(log), "b", 0.0, guess=0)], workers=1)
    assert [n for n, _, _ in runs(log)] == ["a", "b"]
    times_file.write_text('{"test:test-long-again": 50}')
    log.unlink()
    background.run([job("was-short", "record", str(log), "a", 0.0, guess=9),
                    job("test-long-again", "record", str(log), "b", 0.0, guess=0)], workers=1)
    assert [n for n, _, _ in runs(log)] == ["b", "a"]


def test_a_failing_and_a_dying_job_fail_the_build_after_the_rest_ran(tmp_path):
    log = tmp_path / "log"
    jobs = [job("broken", "fail", guess=5), job("dies", "die", guess=4),
            job("fine", "record", str(log), "fine", 0.0, guess=1)]
    with pytest.raises(SystemExit) as e:
        background.run(jobs, workers=1)          # one worker: it must come back after dying
    message = str(e.value)
    assert "broken:" in message and "ValueError: this job is broken" in message
    assert "dies:" in message and "worker exited with code 3" in message
    assert [n for n, _, _ in runs(log)] == ["fine"], "the other jobs still ran"


def test_nothing_to_do_starts_no_process(monkeypatch):
    monkeypatch.setattr(background, "_Worker", None)      # would fail if used
    assert background.run([]) == {}
