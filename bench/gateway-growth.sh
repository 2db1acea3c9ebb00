#!/usr/bin/env bash
# Growth of the Istio tier with gateway routing (issue #9: linear in pods
# when policies grow with them). For N in SIZES (default 10000 20000
# 40000): `tusk-gen --pods N --mesh`, plus bench/gateway_routes.py's
# ingress gateway with N/10 Deployments routed through it; then
# `tusk matrix --policy-engine calico --grain workload -o connlist
# --timings` with and without gateway.yaml, CPU seconds from /usr/bin/time.
# Needs release builds: cargo build --release -p tusk-cli -p tusk-gen.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/target/release}
OUT=${OUT:-$ROOT/bench/out/gateway}
SIZES=${SIZES:-10000 20000 40000}
mkdir -p "$OUT"
printf '| pods | VirtualServices | without gateway (CPU s) | with gateway (CPU s) | with gateway: analyze (wall) |\n|---:|---:|---:|---:|---|\n'
for n in $SIZES; do
  d=$OUT/mesh-$n
  [ -d "$d" ] || "$BIN/tusk-gen" --pods "$n" --seed 1 --mesh --out "$d" >/dev/null
  vs=$(python3 "$ROOT/bench/gateway_routes.py" "$d" | cut -d' ' -f1)
  base=()
  for f in "$d"/*.yaml; do [ "$(basename "$f")" = gateway.yaml ] || base+=("$f"); done
  tf=$(mktemp); log=$(mktemp)
  /usr/bin/time -f "%U %S" -o "$tf" "$BIN/tusk" matrix "${base[@]}" --policy-engine calico --grain workload -o connlist > /dev/null 2>/dev/null || true
  t0=$(awk '{print $1+$2}' "$tf")
  /usr/bin/time -f "%U %S" -o "$tf" "$BIN/tusk" matrix "$d" --policy-engine calico --grain workload -o connlist --timings > /dev/null 2>"$log" || true
  t1=$(awk '{print $1+$2}' "$tf")
  an=$(grep -i "analy" "$log" | head -1 | tr -s ' ' || true)
  rm -f "$tf" "$log"
  echo "| $n | $vs | $t0 | $t1 | $an |"
done
