#!/usr/bin/env bash
# Calico + Istio benchmark (issue #9, item 8): tusk vs NCA
# (network-config-analyzer) side by side on the same generated clusters.
#
# 1. Builds tusk and tusk-gen in release (unless --no-build).
# 2. Installs NCA from PyPI into a throwaway venv (a temporary folder,
#    removed at exit; never into the product).
# 3. For every N in SIZES: `tusk-gen --pods N --mesh` writes namespaces.yaml
#    (injection-labelled), workloads.yaml (Deployments), policies.yaml
#    (~1.05 N NetworkPolicies), calico.yaml (N/5 Calico policies in the
#    security / platform / tenant / default tiers, GlobalNetworkPolicies
#    among them) and istio.yaml (N/10 AuthorizationPolicies, a few
#    PeerAuthentications). tusk runs `matrix --policy-engine calico --grain
#    workload --timings` (its figures split load / analyze / matrix); NCA
#    runs `--connectivity` on the same files for N in NCA_SIZES, each run
#    time-boxed with `timeout NCA_TIMEOUT` (default 600 s). NCA 2.1.0
#    refuses Calico's `tier` field ("tier is not a valid entry"), so it gets
#    calico-nca.yaml: the same policies without Tier objects and `tier:`
#    lines (all in the default tier: a different policy set, same size;
#    timings only, the connectivity is not compared).
# 4. Prints a markdown table (also bench/out/mesh-results.md).
#
# Usage: bench/mesh-vs-nca.sh [--no-build] [--no-nca] [--seed S]
# Environment: SIZES (default "1000 10000 100000"), NCA_SIZES (default
#   "200 1000"), NCA_TIMEOUT (default 600), TUSK_RUNS (default 3: median),
#   CARGO_TARGET_DIR, TUSK, GEN (binaries to time).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/bench/out
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BUILD=1 NCA=1 SEED=1
while [ $# -gt 0 ]; do
    case $1 in
        --no-build) BUILD=0 ;;
        --no-nca) NCA=0 ;;
        --seed) SEED=$2; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
SIZES=${SIZES:-1000 10000 100000}
NCA_SIZES=${NCA_SIZES:-200 1000}
NCA_TIMEOUT=${NCA_TIMEOUT:-600}
log() { echo "== $*" >&2; }
mkdir -p "$OUT"

if [ $BUILD = 1 ]; then
    log "cargo build --release -p tusk-cli -p tusk-gen"
    (cd "$ROOT" && cargo build --release -p tusk-cli -p tusk-gen)
fi
TUSK=${TUSK:-$CARGO_TARGET_DIR/release/tusk}
GEN=${GEN:-$CARGO_TARGET_DIR/release/tusk-gen}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
NCA_BIN="" NCA_VERSION="not installed"
if [ $NCA = 1 ]; then
    log "installing network-config-analyzer into a throwaway venv"
    python3 -m venv "$TMP/venv"
    if "$TMP/venv/bin/pip" install -q network-config-analyzer >"$TMP/pip.log" 2>&1; then
        NCA_BIN=$TMP/venv/bin/nca
        NCA_VERSION=$("$TMP/venv/bin/pip" show network-config-analyzer | sed -n 's/^Version: //p')
    else
        tail -3 "$TMP/pip.log" >&2
        NCA_VERSION="install failed"
    fi
fi

# timed OUT ERR CMD...: "SECONDS PEAK_KB EXIT USER_CPU" of one run.
timed() {
    local out=$1 err=$2; shift 2
    local tf rc=0; tf=$(mktemp)
    /usr/bin/time -f "%e %M %U" -o "$tf" "$@" >"$out" 2>"$err" || rc=$?
    # "WALL PEAK_KB EXIT USER"
    read -r w k u < <(tail -n 1 "$tf")
    echo "$w $k $rc $u"
    rm -f "$tf"
}

# One tusk run: "WALL PEAK_KB EXIT USER LOAD ANALYZE MATRIX RENDER ROWS".
tusk_once() {
    local dir=$1 r
    r=$(timed "$dir/tusk.txt" "$dir/tusk.err" "$TUSK" matrix "$dir" --policy-engine calico --grain workload \
        --format connlist --timings)
    # "timings: load 0.318s, analyze 0.292s (...), matrix 0.670s (3324 rows), render 0.009s"
    local t
    t=$(sed -nE 's/^timings: load ([0-9.]+)s, analyze ([0-9.]+)s .*, matrix ([0-9.]+)s \(([0-9]+) rows\), render ([0-9.]+)s.*/\1 \2 \3 \5 \4/p' "$dir/tusk.err")
    echo "$r ${t:-- - - - -}"
}

{
    echo "### Calico + Istio mix, tusk vs NCA ($(date -u +%Y-%m-%d), seed $SEED, NCA $NCA_VERSION, $(nproc) cores)"
    echo
    echo "| pods | NetworkPolicies | Calico policies | AuthorizationPolicies | tusk load (s) | tusk analyze + matrix (s) | tusk wall (s) | tusk CPU user (s) | tusk RSS (MB) | rows | unknown pairs | NCA, tierless copy (s) | NCA RSS (MB) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$OUT/mesh-results.md"

for n in $SIZES; do
    dir=$OUT/mesh-$n
    rm -rf "$dir"
    log "N=$n: tusk-gen --mesh"
    "$GEN" --pods "$n" --seed "$SEED" --out "$dir" --mesh 2>"$dir.gen.log"
    nps=$(sed -nE 's/.* ([0-9]+) NetworkPolicies.*/\1/p' "$dir.gen.log")
    read -r cal aps < <(sed -nE 's/.*mesh: ([0-9]+) Calico policies.* ([0-9]+) AuthorizationPolicies.*/\1 \2/p' "$dir.gen.log")
    log "N=$n: tusk matrix (median of ${TUSK_RUNS:-3})"
    runs=${TUSK_RUNS:-3}
    med=$(for _ in $(seq "$runs"); do tusk_once "$dir"; done | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    read -r wall kb rc user load analyze matrix render rows <<<"$med"
    unknown=$(sed -nE 's/^tusk: ([0-9]+) pairs have connections whose verdict.*/\1/p' "$dir/tusk.err")
    am=$(awk -v a="$analyze" -v m="$matrix" 'BEGIN { if (a ~ /^[0-9.]+$/) printf "%.2f", a + m; else print "-" }')
    [ "$rc" = 0 ] || wall="failed ($rc)"
    nca_s="not run" nca_mb="-"
    if [ -n "$NCA_BIN" ] && [[ " $NCA_SIZES " == *" $n "* ]]; then
        log "N=$n: nca (timeout $NCA_TIMEOUT s)"
        python3 - "$dir" <<'PY'
import re, sys
d = sys.argv[1]
docs = open(d + "/calico.yaml").read().split("---\n")
keep = [re.sub(r"^  tier: .*\n", "", x, flags=re.M) for x in docs if x.strip() and "kind: Tier\n" not in x]
open(d + "/calico-nca.yaml", "w").write("".join("---\n" + x for x in keep))
PY
        read -r s k c _ < <(timed "$dir/nca.txt" "$dir/nca.err" timeout "$NCA_TIMEOUT" "$NCA_BIN" --connectivity \
            -r "$dir/policies.yaml" -r "$dir/calico-nca.yaml" -r "$dir/istio.yaml" \
            --pod_list "$dir/workloads.yaml" --ns_list "$dir/namespaces.yaml" -o txt_no_fw_rules)
        case $c in
            0) nca_s=$s; nca_mb=$(( k / 1024 )) ;;
            124) nca_s="> $NCA_TIMEOUT (timed out)" ;;
            *) nca_s="failed (exit $c: $(grep -m1 -iE 'error|exception' "$dir/nca.err" | cut -c1-80 | tr '|' ' '))" ;;
        esac
    fi
    echo "| $n | $nps | $cal | $aps | $load | $am | $wall | $user | $(( ${kb:-0} / 1024 )) | $rows | ${unknown:-0} | $nca_s | $nca_mb |" \
        >>"$OUT/mesh-results.md"
    [ "$n" -ge 100000 ] && rm -rf "$dir"
done
{
    echo
    echo "tusk: \`tusk-gen --pods N --seed $SEED --mesh --out DIR\`, then \`tusk matrix DIR --policy-engine calico --grain workload --format connlist --timings\`."
    echo "NCA: \`nca --connectivity -r DIR/policies.yaml -r DIR/calico-nca.yaml -r DIR/istio.yaml --pod_list DIR/workloads.yaml --ns_list DIR/namespaces.yaml -o txt_no_fw_rules\` under \`timeout $NCA_TIMEOUT\` (calico-nca.yaml: calico.yaml without tiers, which NCA refuses)."
} >>"$OUT/mesh-results.md"
cat "$OUT/mesh-results.md"
