# askposts: two commands on a fresh machine.
#   make run                 index content/ and start the chat on http://127.0.0.1:7860
#   make run CONTENT=../shared/corpus/redciudadana SITE_URL=https://redciudadana.org
#   make test                install with the test extras and run the test suite
#   make test-fast           the unit tests only (no model, no ../shared): seconds
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
CONTENT ?= content
INDEX ?= index
SITE_URL ?=
HOST ?= 127.0.0.1
PORT ?= 7860
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run run-postgres test test-fast install install-test browser bench bench-load clean screenshots fit fit-reader

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, pinned: otherwise sentence-transformers pulls a multi-GB CUDA build.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser

# Debian's Chromium for the browser test (a browser download by the test tool fails here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "Aviso: no se pudo instalar chromium; la prueba del navegador se omitirá."; }

run: install
	$(BIN)/askposts index $(CONTENT) --index $(INDEX) $(if $(SITE_URL),--site-url $(SITE_URL)) || [ $$? -eq 1 ]
	$(BIN)/python app.py --index $(INDEX) --host $(HOST) --port $(PORT) $(if $(SITE_URL),--site-url $(SITE_URL))

# The same with the index in an embedded PostgreSQL (docs/postgres.md).
run-postgres: install-test
	$(BIN)/python scripts/run_postgres.py $(CONTENT) --port $(PORT) $(if $(SITE_URL),--site-url $(SITE_URL))

test: install-test
	$(BIN)/python -m pytest

# Everything not marked slow: a hash-based fake embedder instead of the model, no ../shared.
test-fast: $(VENV)/.installed-test
	ASKPOSTS_SHARED=/nonexistent $(BIN)/python -m pytest -m "not slow"

# Refresh the screenshots in docs/ from the browser test.
screenshots: install-test
	ASKPOSTS_SCREENSHOTS=docs $(BIN)/python -m pytest tests/test_web.py -k "chat_answers or staff"
	ASKPOSTS_SCREENSHOTS=docs $(BIN)/python -m pytest tests/test_widget.py

# Refit the answer model shipped in the package (docs/retrieval.md).
SHARED ?= ../shared
# Two files: the default (no reader) and the one with the reader's stage (settings.reader).
# CORRECTIONS=correcciones.jsonl (GET /api/corrections?format=jsonl) adds the staff's.
FIT_DATA = --squad $(SHARED)/eval/squad-es-v2/tune.json \
	  --questions $(SHARED)/eval/train.jsonl $(SHARED)/eval/dev.jsonl \
	  --content $(SHARED)/corpus/redciudadana --site-url https://redciudadana.org \
	  $(if $(CORRECTIONS),--corrections $(CORRECTIONS))
fit: install
	$(BIN)/askposts fit $(FIT_DATA) --no-reader --out src/askposts/answering/answer_model.json
	$(BIN)/askposts fit $(FIT_DATA) --out src/askposts/answering/answer_model_reader.json

# Retrain the reader shipped in the package on CPU (about 3 h 10 min on 2 cores; stopped, it
# goes on with RESUME=1; docs/retrieval.md), then refit the answer model around it with `make fit`.
fit-reader: install
	$(BIN)/askposts fit-reader --squad-en $(SHARED)/eval/squad-en-v1.1/train.json.gz \
	  --squad-es $(SHARED)/eval/squad-es-v2/tune.json \
	  --questions $(SHARED)/eval/train.jsonl $(SHARED)/eval/dev.jsonl \
	  --content $(SHARED)/corpus/redciudadana --out src/askposts/answering \
	  --layers 12 --train-questions 40000 --stop-after 30000 $(if $(RESUME),--resume)

bench: install
	$(BIN)/python benchmarks/bench_index.py

# 50 and 200 concurrent users against `askposts serve` on the real corpus (docs/http-api.md).
bench-load: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_load.py

clean:
	rm -rf $(INDEX)/gen-* $(INDEX)/CURRENT $(INDEX)/LOCK
