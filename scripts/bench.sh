#!/usr/bin/env bash
# Issue 7's and issue 22's benchmarks in one command: builds in release mode, generates the data with
# `mimamori generate`, runs every benchmark on SQLite and PostgreSQL and prints one table.
#   scripts/bench.sh            full sizes (100,000 devices, 10,000 and 200,000 facilities…)
#   scripts/bench.sh --smoke    tiny sizes on the debug build (CI: keeps the benchmarks alive)
# Environment: MIMAMORI_BENCH_BACKENDS=sqlite, MIMAMORI_BENCH_FACILITIES=10000, … (see
# crates/cli/benches/scale/main.rs). PostgreSQL: 127.0.0.1:5432 or MIMAMORI_TEST_POSTGRES_URL.
# Timings are printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mimamori-target}"

profile=()
if [ "${1:-}" = "--smoke" ]; then
  export MIMAMORI_BENCH_SMOKE=1
  profile=(--profile dev)
fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (HTTP load generator, Debian package)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends wrk
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# MIMAMORI_BENCH_ONLY picks groups: ledger, findings, overview (scale) and vulnerabilities.
only="${MIMAMORI_BENCH_ONLY:-}"
wants() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
status=0
set +e
if [ -z "$only" ] || [ "$only" != "vulnerabilities" ]; then
  cargo bench -p mimamori --bench scale "${profile[@]}" 2>&1 | tee "$log" | grep -v '^RESULT'
  status=${PIPESTATUS[0]}
fi
if [ "$status" -eq 0 ] && wants vulnerabilities; then
  cargo bench -p mimamori --bench vulnerabilities "${profile[@]}" 2>&1 | tee -a "$log" | grep -v '^RESULT'
  status=${PIPESTATUS[0]}
fi
set -e
if [ "$status" -ne 0 ]; then
  echo "benchmark run failed (exit $status)" >&2
  exit "$status"
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
memory=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
echo
echo "date $(date -u +%Y-%m-%d) · commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) · $(nproc) vCPU ${cpu} · ${memory}${MIMAMORI_BENCH_SMOKE:+ · SMOKE SIZES (not figures)}"
echo
echo "| # | figure | dataset | backend | result (median) | target |"
echo "|---|---|---|---|---|---|"
grep '^RESULT' "$log" | sort -t$'\t' -k2,2n -s | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", ($2 == 0 ? "" : $2), $3, $4, $5, $6, $7 }'
if ! grep -q '^RESULT' "$log"; then
  echo "no results" >&2
  exit 1
fi
