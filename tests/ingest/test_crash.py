"""kill -9 at random instants of ``python -m ingest``, spread over its phases: the next reader serves either the
index it served before or the new one, each identical in answers to a clean build of that corpus, never a mix;
or, before anything was ever published, says that ingest must be run. The next ingest completes the work.

Each trial writes a new version of the corpus (one of four, in turn, so every trial embeds a chunk again), starts
a real ``python -m ingest --verbose`` process, waits for the phase it targets, sleeps a random moment and sends
SIGKILL. Clean references are built once per version in their own folders.
"""

from __future__ import annotations

import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ingest.index import ingest
from kerjasama.errors import IndexDamagedError, IndexNotReadyError
from kerjasama.service import build_answerer
from kerjasama.settings import Settings
from kerjasama.store import IndexStore
from tests.conftest import ROOT, copy_corpus

FILES = ["artikel-perjanjian-internasional-pemda.txt", "abstrak-sister-city-bogor-kisarazu.txt"]
VERSIONS = 4
TRIALS = 22
PHASES = ["load", "vectors", "embed", "chroma", "lexical", "derive", "verify", "publish", "swap", "prune"]
# Longest random delay after a phase starts: about as long as the phase lasts here, so most kills land in it.
JITTER = {"embed": 0.8, "load": 0.05, "vectors": 0.05, "chroma": 0.05, "lexical": 0.05, "verify": 0.1}
SHORT = 0.002  # derive, publish, swap, prune take milliseconds
QUESTIONS = [
    "Apakah pemerintah daerah dapat membuat perjanjian internasional?",
    "Apa yang dimaksud dengan perjanjian internasional menurut Konvensi Wina?",
    "What is the sister city cooperation between Bogor and Kisarazu?",
]
PHASE_LINE = re.compile(r"phase (\w+)")


def write_version(corpus: Path, original: str, version: int) -> None:
    """Version ``v`` of the article: one paragraph (a different one per version) gets a sentence more."""
    lines = original.split("\n")
    i = 2 + 3 * version
    lines[i] = lines[i] + f" Catatan revisi nomor {version + 1}."
    (corpus / FILES[0]).write_text("\n".join(lines), encoding="utf-8")


def answers(settings: Settings, embeddings) -> list[dict]:
    """Every question's answer object (latency left out) from the index a fresh reader opens now."""
    answerer = build_answerer(settings, embeddings=embeddings)
    out = []
    for q in QUESTIONS:
        data = answerer.ask(q).to_dict()
        data.pop("latency_ms")
        out.append(data)
    return out


@pytest.fixture(scope="module")
def references(tmp_path_factory, embeddings) -> tuple[list[list[dict]], list[str]]:
    """Answers and content fingerprints of a clean build of each version."""
    base = tmp_path_factory.mktemp("crash-ref")
    original = (ROOT / "corpus" / FILES[0]).read_text(encoding="utf-8")
    refs, prints = [], []
    for v in range(VERSIONS):
        corpus = copy_corpus(base / f"corpus{v}", FILES)
        write_version(corpus, original, v)
        settings = Settings(corpus_dir=corpus, data_dir=base / f"data{v}")
        ingest(settings, show_progress=False, embeddings=embeddings)
        refs.append(answers(settings, embeddings))
        prints.append(IndexStore(settings.index_dir(), embeddings, "x").manifest()["content"])
    assert len(set(prints)) == VERSIONS
    return refs, prints


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _next_phase(lines: queue.Queue, timeout: float) -> str | None:
    """The phase announced by the next line ("-" for another line); None when no line came in time, "" at the end."""
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        return None
    if line is None:
        return ""
    m = PHASE_LINE.search(line)
    return m.group(1) if m else "-"


def kill_during(settings: Settings, phase: str, delay: float) -> tuple[str, bool]:
    """Start an ingest, SIGKILL it ``delay`` s after it enters ``phase``; (last phase it entered, finished)."""
    env = {**os.environ, "KERJASAMA_CORPUS_DIR": str(settings.corpus_dir),
           "KERJASAMA_DATA_DIR": str(settings.data_dir), "KERJASAMA_EMBED_BATCH_SIZE": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "--quiet", "--verbose"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stderr, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 180
    killed = False
    while time.monotonic() < deadline:
        step = _next_phase(lines, 1)
        if step == "":
            break
        if step and step != "-":
            seen.append(step)
            if step == phase:
                time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                killed = True
                break
    proc.wait(timeout=60)
    while step := _next_phase(lines, 2):  # the phases it entered before the signal landed
        if step != "-":
            seen.append(step)
    finished = proc.returncode == 0
    assert finished or (killed and proc.returncode == -signal.SIGKILL), (proc.returncode, seen)
    return (seen[-1] if seen else "start"), finished


@pytest.mark.slow
def test_kill_9_at_random_instants_never_leaves_a_mixed_or_partial_index(tmp_path, embeddings, references):
    refs, prints = references
    rng = random.Random(int(os.environ.get("KERJASAMA_CRASH_SEED", "11")))
    original = (ROOT / "corpus" / FILES[0]).read_text(encoding="utf-8")
    corpus = copy_corpus(tmp_path / "corpus", FILES)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    served: int | None = None  # the version readers serve (None: nothing was ever published)
    landed: dict[str, int] = {}
    outcomes = {"old": 0, "new": 0, "not ready": 0}
    for trial in range(TRIALS):
        target = trial % VERSIONS
        write_version(corpus, original, target)
        phase = PHASES[trial % len(PHASES)]
        last, finished = kill_during(settings, phase, rng.uniform(0, JITTER.get(phase, SHORT)))
        landed[last] = landed.get(last, 0) + 1
        try:
            got = answers(settings, embeddings)
        except IndexDamagedError as exc:  # never acceptable
            pytest.fail(f"trial {trial} (killed in {last}): damaged index served: {exc}")
        except IndexNotReadyError:
            assert served is None and not finished, f"trial {trial}: a published index disappeared (killed in {last})"
            outcomes["not ready"] += 1
        else:
            content = IndexStore(settings.index_dir(), embeddings, "x").manifest()["content"]
            assert content in (prints[target], *(prints[served:served + 1] if served is not None else [])), (
                f"trial {trial} (killed in {last}): the index is neither the one served before nor the new one"
            )
            version = prints.index(content)
            assert got == refs[version], f"trial {trial} (killed in {last}): answers differ from a clean build"
            check = IndexStore(settings.index_dir(), embeddings, "x").verify(full=True)
            assert check.ok, (trial, last, check.problems)
            outcomes["new" if version == target and version != served else "old"] += 1
            served = version
        if trial % 4 == 3:  # now and then the next ingest runs to the end: it completes the interrupted work
            report = ingest(settings, show_progress=False, embeddings=embeddings)
            assert answers(settings, embeddings) == refs[target] and report.snapshot
            served = target
    print(f"\nkill -9 trials: {TRIALS}; killed in phase: {landed}; outcome: {outcomes}")
    assert len([p for p in landed if p in PHASES]) >= 6, landed  # spread over the phases
    assert outcomes["old"] and outcomes["new"], outcomes
