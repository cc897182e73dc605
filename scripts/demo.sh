#!/usr/bin/env bash
# The demo behind `make demo`: the whole pipeline on the bundled synthetic sources, with a local
# Label Studio and simulated physicians, ending in a verified release. Prints each step's time.
set -euo pipefail

steps=()
step() {  # step "what it does" command args…
  local what=$1 start=$SECONDS
  shift
  printf '\n\033[1m▶ %s\033[0m  (%s)\n' "$what" "$*"
  "$@"
  steps+=("$(printf '%5d s  %s' $((SECONDS - start)) "$what")")
}

step "project setup (salt, Label Studio login in .env)" curate init
# Label Studio's first start (database migrations) runs beside the pipeline: it needs neither.
mkdir -p .labelstudio
curate labelstudio up > .labelstudio/demo-up.log 2>&1 &
server=$!
step "ingest → deid → validate → tag → dedup → tasks" dvc repro
server_started() {
  local rc=0
  wait "$server" || rc=$?
  cat .labelstudio/demo-up.log
  return $rc
}
step "local Label Studio on 127.0.0.1 (started beside dvc repro)" server_started
step "tasks of tasks.yaml" curate tasks
step "pre-annotated review queue" curate review push
step "task instances to physicians (one project per output type)" curate tasks push
step "DEMO ONLY: simulated physicians review every item" curate review simulate
step "DEMO ONLY: simulated physicians check and write task references" curate tasks simulate
step "pin their work (review.snapshot += 1)" curate review snapshot
step "pull, agreement, merge (items and task instances)" dvc repro
step "disagreements → adjudication project" curate review adjudicate
step "DEMO ONLY: the senior physician decides" curate review simulate --adjudication
step "disputed task instances → task adjudication projects" curate tasks adjudicate
step "DEMO ONLY: the senior physician settles disputed task instances" curate tasks simulate --adjudication
step "pin the adjudications" curate review snapshot
step "merge the adjudications, split train/dev/test" dvc repro
step "status" curate status
if [ -d releases/1.0.0 ]; then
  echo "releases/1.0.0 exists (a published version is never overwritten)"
else
  step "gates, then releases/1.0.0/" curate release 1.0.0
fi
step "verify the release" curate release verify 1.0.0

# Physicians grade model answers to the release: judge training data and item difficulty.
runs=answers/runs
step "DEMO ONLY: two simulated models answer 1.0.0 (one always right, one right 60%)" \
  bash -c "curate answers simulate --model demo-oracle --accuracy 1.0 --out $runs/demo-oracle.jsonl \
    && curate answers simulate --model demo-sixty --accuracy 0.6 --out $runs/demo-sixty.jsonl"
step "import their answers (mapped to ids, screened by the de-identifier)" \
  bash -c "curate answers import $runs/demo-oracle.jsonl --model demo-oracle \
    && curate answers import $runs/demo-sixty.jsonl --model demo-sixty"
step "answers to physicians for grading (model hidden, models mixed)" curate grade push
step "DEMO ONLY: simulated physicians grade every answer" curate grade simulate
step "pin their grades (grading.snapshot += 1)" curate grade snapshot
step "pull, consensus, agreement, item statistics, judge export" dvc repro
step "disputed grades → grading adjudication" curate grade adjudicate
step "DEMO ONLY: the senior physician settles disputed grades" curate grade simulate --adjudication
step "pin the adjudications" curate grade snapshot
step "merge the adjudications, judge export again" dvc repro
step "grading status" curate grade
step "DEMO ONLY: a simulated judge grades the test answers" \
  curate judge simulate --out $runs/demo-judge.jsonl
step "score the judge against the physicians (accuracy, macro-F1, kappa)" \
  curate judge score $runs/demo-judge.jsonl
if [ -d releases/1.1.0 ]; then
  echo "releases/1.1.0 exists (a published version is never overwritten)"
else
  step "next release 1.1.0: its card shows difficulty and discrimination" curate release 1.1.0
fi
step "verify release 1.1.0" curate release verify 1.1.0

printf '\n\033[1mStep times\033[0m\n'
printf '%s\n' "${steps[@]}"
printf '%5d s  total\n\n' "$SECONDS"
echo "Releases: releases/1.0.0 and releases/1.1.0 (cards: README.md; item statistics in 1.1.0's)."
echo "Judge training data: data/judge (card: data/judge/README.md); grading report: reports/grading.json"
echo "Load the release with:"
echo "  .venv/bin/python -c \"from datasets import load_dataset; print(load_dataset('parquet', data_files={'test': 'releases/1.0.0/data/mcq_zh/test.parquet'}))\""
echo "  .venv/bin/python -c \"from datasets import load_dataset; print(load_dataset('releases/1.0.0', 'task_triage_zh'))\""
echo "Label Studio is running at $(curate labelstudio status 2>&1 | head -1 | sed 's/: .*//')"
echo "log in with LABEL_STUDIO_USERNAME / LABEL_STUDIO_PASSWORD from .env; stop it with: curate labelstudio down"
