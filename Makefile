# medscribe: `make run` runs the main job, `make test` installs everything and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
# Debian packages the tests and the sample audio need.
APT_PACKAGES := ffmpeg sox espeak-ng festival festvox-us-slt-hts pocketsphinx-testdata \
	hunspell-en-med wamerican libportaudio2 festvox-kallpc16k festvox-kdlpc16k
SAMPLE := examples/audio/visit.wav

.PHONY: all install system-deps run test lint bench eval eval-speakers sample clean

all: test

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages (install them as root):$$missing"; \
	  fi; \
	fi

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=24" -c constraints.txt
	$(PIP) install -q -c constraints.txt -e '.[speakers,eval,stream,dev]'
	touch $(STAMP)

install: system-deps $(STAMP)

$(SAMPLE): scripts/make_sample.py examples/visit-script.txt | install
	$(PY) scripts/make_sample.py --script examples/visit-script.txt --out $(SAMPLE)

sample: $(SAMPLE)

# The main job: the offline engine transcribes a synthesised clinician-patient visit.
run: install $(SAMPLE)
	install -d -m 700 var
	$(VENV)/bin/medscribe transcribe $(SAMPLE) --backend local --specialty primarycare \
	  --speakers 2 --speaker-names clinician,patient \
	  --output-dir var/run --format rich

test: install
	$(VENV)/bin/ruff check src tests scripts benchmarks
	$(VENV)/bin/mypy src
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check src tests scripts benchmarks
	$(VENV)/bin/ruff format --check src tests scripts benchmarks
	$(VENV)/bin/mypy src

bench: install
	mkdir -p bench-results
	$(PY) -m benchmarks --out bench-results

# `make eval`: the development set (built once into var/devset, then cached), every case
# clean and in a room, specialty pass off (the bare engine, the baseline) and on, one
# table per split and specialty with the correction precision; JSON in eval-results/.
# Quick path (about ten minutes on 2 cores): make eval EVAL_SPLIT=test EVAL_ARGS="--limit 16".
EVAL_SPLIT ?= all
EVAL_ARGS ?=
eval: install
	mkdir -p eval-results
	nice -n 10 $(VENV)/bin/medscribe eval make-devset var/devset
	COLUMNS=$${COLUMNS:-230} nice -n 10 $(VENV)/bin/medscribe eval var/devset --compare-pass \
	  --condition both --split $(EVAL_SPLIT) $(EVAL_ARGS) --json eval-results/devset-$(EVAL_SPLIT).json
	if [ -d ../shared/data/speech ]; then \
	  $(VENV)/bin/medscribe eval ../shared/data/speech --json eval-results/shared-speech.json; fi
	$(MAKE) --no-print-directory eval-speakers EVAL_SPLIT=$(EVAL_SPLIT)

# `make eval-speakers`: speaker partitioning (issue 14) on the AMI excerpts (UEM scored),
# the real two-party speech and the close-voice synthetic visits (made once into
# var/speaker-visits), beside a naive baseline, with the CPU share of the stage;
# JSON in eval-results/speakers-<split>.json. Skipped without ../shared.
eval-speakers: install
	if [ -d ../shared/data/meetings ]; then \
	  mkdir -p eval-results; \
	  install -d -m 700 var; \
	  COLUMNS=$${COLUMNS:-230} nice -n 10 $(VENV)/bin/medscribe eval speakers --split $(EVAL_SPLIT) \
	    --visits var/speaker-visits --json eval-results/speakers-$(EVAL_SPLIT).json; \
	else echo "eval-speakers: ../shared/data is not present: skipped"; fi

clean:
	rm -rf $(VENV) var bench-results eval-results
