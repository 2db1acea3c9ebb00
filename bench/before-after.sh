#!/usr/bin/env bash
# Two builds of tusk side by side on the benchmark inputs of BENCHMARKS.md:
# the Kubernetes scaling runs (1k, 10k, 100k pods, connlist and JSON) and the
# Azure all-pairs run (2,000 subnets). Each timing is the median of RUNS
# (default 5) wall-clock runs, the two binaries alternating so that a busy
# machine weighs on both alike. Prints a Markdown table with the ratio
# after/before.
#
# Usage: bench/before-after.sh BEFORE_BIN AFTER_BIN
#   e.g. git worktree add /tmp/base <commit> && (cd /tmp/base && cargo build --release -p tusk-cli)
#        bench/before-after.sh /tmp/base/target/release/tusk target/release/tusk
# Environment: RUNS (5), SIZES ("1000 10000 100000"), OUT (bench/out),
#   CPU=1 to time user + sys CPU seconds (from /usr/bin/time) instead of
#   wall-clock seconds: on a shared, loaded machine the wall says little.
# Inputs are generated with this checkout's tusk-gen and gen_azure_estate
# (built here in release), so both binaries read the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { sed -n '2,14p' "$0"; exit 2; }
BEFORE=$(realpath "$1") AFTER=$(realpath "$2")
RUNS=${RUNS:-5} SIZES=${SIZES:-1000 10000 100000} OUT=${OUT:-bench/out}
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p tusk-gen
cargo build --release -q -p tusk-network --example gen_azure_estate
mkdir -p "$OUT"

# secs CMD...: wall-clock seconds of one run (output discarded), or with
# CPU=1 its user + sys CPU seconds.
secs() {
    local s e
    if [ "${CPU:-0}" = 1 ]; then
        /usr/bin/time -f '%U %S' -o "$OUT/.cpu" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
        awk '{printf "%.4f", $1 + $2}' "$OUT/.cpu"
        return
    fi
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    e=$(date +%s.%N)
    awk -v s="$s" -v e="$e" 'BEGIN {printf "%.4f", e - s}' 
}

median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

# row LABEL ARGS...: the median of each binary over RUNS alternating runs.
row() {
    local label=$1 b=() a=() i
    shift
    for ((i = 0; i < RUNS; i++)); do
        b+=("$(secs "$BEFORE" "$@")")
        a+=("$(secs "$AFTER" "$@")")
    done
    local mb ma
    mb=$(printf '%s\n' "${b[@]}" | median)
    ma=$(printf '%s\n' "${a[@]}" | median)
    printf '| %s | %s | %s | %s |\n' "$label" "$mb" "$ma" "$(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.2f", a / b}')"
}

echo "| run | before (s) | after (s) | after/before |"
echo "|---|---:|---:|---:|"
for n in $SIZES; do
    dir=$OUT/scale-$n
    [ -f "$dir/policies.yaml" ] || "$TARGET/release/tusk-gen" --pods "$n" --seed 1 --out "$dir" >/dev/null
    row "matrix $n pods, connlist (cilium)" matrix "$dir" --grain workload --policy-engine cilium --format connlist
    row "matrix $n pods, json (cilium)" matrix "$dir" --grain workload --policy-engine cilium --format json
done
az=$OUT/azure-estate
[ -d "$az" ] || "$TARGET/release/examples/gen_azure_estate" "$az" >/dev/null
row "reach 2,000 subnets, port 443" reach "$az" --port 443
row "trace one flow (load included)" trace "$az" --from vm-s1-n0-nic --to vm-s77-n3-nic --port 443
