# kerjasama: `make run` (install, index on first start, ask) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: run test install ingest ask eval bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Build or update the index, then start the assistant.
run: $(STAMP)
	$(PY) -m ingest
	$(PY) -m kerjasama chat

ingest: $(STAMP)
	$(PY) -m ingest

## Whole test suite (real embedder, real Chroma in temp dirs).
test: $(STAMP)
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) -m ingest --quiet
	$(PY) -m eval run eval/sets/core.jsonl --out eval/results/core.json

bench: $(STAMP)
	$(PY) -m ingest --quiet
	$(PY) bench/ingest.py
	$(PY) bench/query.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) data .pytest_cache
