#!/usr/bin/env bash
# Cross-layer benchmark (issue 7 item 8): builds release, generates whole
# estates with `tusk-gen --estate` (hub & spoke with a firewall of network
# and application rules, spokes without route tables, a direct mesh, an
# AKS cluster with one pool per tenant, pods without IPs, policies with
# ipBlocks), then times on each:
#   * the tenant and the workload matrix across both layers, both actors
#     (`tusk matrix --grain tenant|workload --port 8080 --actor both`), with
#     `--timings` (wiring, matrix, one end-to-end trace after load, median
#     of 101) and peak RSS from `/usr/bin/time -v`;
#   * `tusk reach --port 443` (the firewall's application rules make most
#     pairs through the hub unknown: the fallback-heavy shape).
# Each run is cut at LIMIT seconds (default 600): a run that does not
# finish is reported as such, never extrapolated by the script.
#
# Usage: bench/aks/run.sh                  # PODS="1000 100000"
#        PODS="1000 2000" LIMIT=300 bench/aks/run.sh
# Sizes: at P pods, P/200 namespaces (at least 20, the tenant count),
# P/10 policies; always 200 spokes × 10 subnets and 5,000 firewall rules.
set -euo pipefail
cd "$(dirname "$0")/../.."
PODS=${PODS:-"1000 100000"}
LIMIT=${LIMIT:-600}
OUT=${OUT:-bench/out/aks}
cargo build --release -q -p tusk-cli -p tusk-gen
TARGET=${CARGO_TARGET_DIR:-target}
TUSK="$TARGET/release/tusk"
GEN="$TARGET/release/tusk-gen"
mkdir -p "$OUT"

run() { # label, command...
  local label=$1; shift
  echo "== $label"
  echo "   \$ $*"
  local log="$OUT/last.time"
  if timeout "$LIMIT" /usr/bin/time -v "$@" >"$OUT/last.out" 2>"$log"; then
    grep -E '^timings:|^load:|^prepare|^one trace|^all subnet' "$log" | sed 's/^/   /' || true
    grep -E 'Elapsed \(wall|Maximum resident' "$log" | sed 's/^\s*/   /'
  else
    echo "   did not finish within ${LIMIT} s (or failed): $(tail -1 "$log")"
  fi
}

for P in $PODS; do
  NS=$(( P / 200 )); [ "$NS" -lt 20 ] && NS=20
  POL=$(( P / 10 ))
  DIR="$OUT/estate-$P"
  "$GEN" --estate --pods "$P" --namespaces "$NS" --policies "$POL" --out "$DIR"
  du -sh "$DIR" | sed 's/^/   /'
  run "tenant matrix, both actors, $P pods" "$TUSK" matrix "$DIR" --grain tenant --port 8080 --actor both --timings
  run "workload matrix, both actors, $P pods" "$TUSK" matrix "$DIR" --grain workload --port 8080 --actor both --timings
  run "tenant matrix, node actor only, $P pods" "$TUSK" matrix "$DIR" --grain tenant --port 8080 --actor node --timings
  run "reach --port 443 (application rules: unknown-heavy), $P pods" "$TUSK" reach "$DIR" --port 443 --timings
done
