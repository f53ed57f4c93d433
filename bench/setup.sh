#!/usr/bin/env bash
# Prepares the benchmark: a release build, wrk, and moto[server] + boto3 in ./.venv-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p palisade
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -x .venv-bench/bin/moto_server ] || { python3 -m venv .venv-bench && .venv-bench/bin/pip install --quiet 'moto[server]' boto3; }
echo "run: .venv-bench/bin/python bench/run.py"
