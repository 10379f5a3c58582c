#!/usr/bin/env bash
# Runs pflicht's hot-path benchmarks and prints them with the machine they ran on.
# Usage: bench/run.sh [PATTERN]   (default: all benchmarks; results also in bench/out/)
# Targets are recorded in docs/benchmarks.md; they are not timed tests.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-.}
mkdir -p bench/out
out=bench/out/$(date -u +%Y%m%dT%H%M%SZ).txt
{
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(go version)"
  echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores), $(free -g | awk '/Mem:/{print $2}') GiB"
  go test -run='^$' -bench="$pattern" -benchmem -count=1 ./internal/...
} | tee "$out"
echo "saved to $out"
