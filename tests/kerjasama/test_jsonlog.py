"""The audit and feedback logs rotate and survive concurrent writers: several processes with several threads
each append to one file that rotates many times while they write; every line arrives once, whole."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from kerjasama.jsonlog import append, log_files
from tests.conftest import ROOT

LINES = 300

WRITER = """
import os, sys, threading, time
from kerjasama.jsonlog import append
path, proc = sys.argv[1], int(sys.argv[2])
while not os.path.exists(path + ".go"):  # every process starts writing at the same moment
    time.sleep(0.005)
def write(t):
    for i in range(LINES):
        append(path, {"proc": proc, "thread": t, "i": i, "pad": "x" * (40 + i % 60)}, 20_000, 1000)
threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
"""


def test_concurrent_processes_and_threads_lose_and_tear_no_line_across_rotations(tmp_path):
    path = tmp_path / "audit.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER.replace("LINES", str(LINES)), str(path), str(n)],
                              cwd=ROOT) for n in range(3)]
    time.sleep(1.0)
    (tmp_path / "audit.jsonl.go").touch()
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    files = log_files(path)
    assert len(files) > 10, "the file should have rotated many times"
    assert all(f.stat().st_size <= 20_000 for f in files)
    seen = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            seen.append(json.loads(line))  # a torn or interleaved line would not parse
    keys = [(e["proc"], e["thread"], e["i"]) for e in seen]
    assert len(keys) == 3 * 4 * LINES and len(set(keys)) == len(keys)
    # Oldest file first: each writer's lines come in the order it wrote them.
    for proc in range(3):
        for thread in range(4):
            mine = [e["i"] for e in seen if e["proc"] == proc and e["thread"] == thread]
            assert mine == sorted(mine)


def test_log_files_lists_rotations_oldest_first(tmp_path):
    path = tmp_path / "feedback.jsonl"
    for i in range(40):
        append(path, {"i": i, "pad": "y" * 200}, 2_000, 50)
    files = log_files(path)
    assert files[-1] == path and files[0].name.endswith(f".{len(files) - 1}")
    order = [json.loads(line)["i"] for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    assert order == list(range(40))
