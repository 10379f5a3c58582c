#!/usr/bin/env bash
# Times the whole pflicht process for `vulndb import` and `sbom scan`, as a
# user runs them: build the binary, import the OSV databases under
# shared/data once into a temporary data directory, then time repeated scans
# of the largest SBOMs (hyperfine if installed, else a loop) and report peak
# memory with /usr/bin/time -v. Targets: import <= 5 s, scan <= 0.5 s.
#
# Usage: bench/scan.sh [RUNS]   (default 10; GOFLAGS is passed to go build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
shared=${PFLICHT_SHARED_DATA:-$(cd .. && pwd)/shared/data}
[ -d "$shared" ] || { echo "scan.sh: $shared not found (set PFLICHT_SHARED_DATA)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/pflicht" ./cmd/pflicht
pflicht=$tmp/pflicht

# peak LABEL CMD…: runs CMD once under /usr/bin/time -v and prints its wall
# and CPU time (user + system: steadier on a busy machine) and peak memory.
peak() {
  local label=$1; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$tmp/time.txt" || {
    local rc=$?
    # sbom scan exits 1 only with --fail-on; anything else is a failure.
    cat "$tmp/time.txt" >&2
    echo "scan.sh: $label failed (exit $rc)" >&2
    exit 1
  }
  awk -v l="$label" -F': ' '
    /Elapsed \(wall clock\)/ {wall=$2}
    /User time/ {user=$2}
    /System time/ {sys=$2}
    /Maximum resident set size/ {rss=$2}
    END {printf "%-60s wall %s, cpu %.2f s, peak RSS %.0f MiB\n", l, wall, user+sys, rss/1024}' "$tmp/time.txt"
}

# timeit LABEL CMD: mean wall time of RUNS runs.
timeit() {
  local label=$1 cmd=$2
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 2 --runs "$runs" --style basic --export-json "$tmp/h.json" "$cmd" >/dev/null
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%-60s mean %.3f s ± %.3f (min %.3f, max %.3f, %d runs, hyperfine)" % (sys.argv[2], r["mean"], r["stddev"], r["min"], r["max"], len(r["times"])))' "$tmp/h.json" "$label"
  else
    local total=0 start end
    for _ in $(seq "$runs"); do
      start=$(date +%s%N); bash -c "$cmd"; end=$(date +%s%N)
      total=$((total + end - start))
    done
    printf "%-60s mean %.3f s (%d runs, date loop)\n" "$label" "$(echo "$total / $runs / 1000000000" | bc -l)" "$runs"
  fi
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(go version)"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"

all=(golang-vulndb pypa-advisory-database rustsec-advisory-db-osv psf-advisory-database
  drupal-advisory-database r-advisory-database homebrew-advisory-database)
paths=()
for d in "${all[@]}"; do paths+=("$shared/$d"); done
peak "import ${#all[@]} OSV databases + CISA KEV (new database)" \
  "$pflicht" vulndb import --data "$tmp/all" "${paths[@]}" "$shared/cisa-kev/known_exploited_vulnerabilities.json"
"$pflicht" vulndb status --data "$tmp/all" | head -1
peak "import again (everything unchanged)" "$pflicht" vulndb import --data "$tmp/all" "${paths[@]}"

# The container SBOMs of bom-shelter's in-the-lab set (up to 3,952 packages).
for f in "$shared"/bom-shelter/in-the-lab/spdx-popular-containers/data/*.json; do
  n=$("$pflicht" sbom scan --data "$tmp/all" --json "$f" | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print("%d components, %d findings" % (s["components"], s["findings"]))')
  label="scan $(basename "$f" | cut -c1-40)… ($n)"
  timeit "$label" "'$pflicht' sbom scan --data '$tmp/all' --json '$f' >/dev/null"
  peak "  peak memory" "$pflicht" sbom scan --data "$tmp/all" --json "$f"
done

# osv-scanner's published comparison: offline mode, a 400-component SBOM
# against the Go, crates.io and PyPI advisories, 1.7 s and 224 MiB on 2 cores.
peak "import Go, PyPI, crates.io only" \
  "$pflicht" vulndb import --data "$tmp/gpr" "$shared/golang-vulndb" "$shared/pypa-advisory-database" "$shared/rustsec-advisory-db-osv"
# fatbom (460 packages, Go modules) is the SBOM closest to 400 components
# whose packages are in those ecosystems.
f=$shared/bom-shelter/in-the-wild/spdx/fatbom-sbom.spdx
n=$("$pflicht" sbom scan --data "$tmp/gpr" --json "$f" | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print("%d components, %d findings" % (s["components"], s["findings"]))')
timeit "scan $(basename "$f" | cut -c1-40)… ($n)" "'$pflicht' sbom scan --data '$tmp/gpr' --json '$f' >/dev/null"
peak "  peak memory" "$pflicht" sbom scan --data "$tmp/gpr" --json "$f"
