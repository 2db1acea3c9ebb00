#!/usr/bin/env bash
# Kubernetes policy engine benchmark: tusk vs NCA (network-config-analyzer).
#
# 1. Builds tusk and tusk-gen in release.
# 2. Installs NCA from PyPI into a throwaway venv, bench/.venv (gitignored;
#    never into the product).
# 3. For N in 200 1000 (200 only with --quick): generates a synthetic cluster
#    of N pods, times `tusk matrix` and NCA on the same files, and checks with
#    bench/compare_connectivity.py that both report the same connectivity at
#    workload grain (Deployments).
# 4. For N in 1000 10000 100000: times the generator and tusk alone.
# 5. Prints markdown tables (also written to bench/out/results.md).
#
# Usage: bench/k8s-vs-nca.sh [--quick] [--seed S] [--nca-fw-rules] [--no-build]
#   --quick         NCA part at 200 pods only
#   --nca-fw-rules  also time NCA's default output (txt, with its firewall-rule
#                   minimisation), which is slower than txt_no_fw_rules
#   --no-build      use the binaries already in $CARGO_TARGET_DIR/release
# Environment: NCA_SIZES, SCALE_SIZES override the pod counts; TUSK_RUNS
#              (default 5) is how many tusk runs the reported median is of;
#              CARGO_TARGET_DIR as for cargo (default: ./target);
#              TUSK, GEN override the binaries (e.g. to time an older build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
OUT=$BENCH/out
VENV=$BENCH/.venv
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

QUICK=0 SEED=1 FW_RULES=0 BUILD=1
while [ $# -gt 0 ]; do
    case $1 in
        --quick) QUICK=1 ;;
        --seed) SEED=$2; shift ;;
        --nca-fw-rules) FW_RULES=1 ;;
        --no-build) BUILD=0 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
if [ $QUICK = 1 ]; then NCA_SIZES=${NCA_SIZES:-200}; else NCA_SIZES=${NCA_SIZES:-200 1000}; fi
SCALE_SIZES=${SCALE_SIZES:-1000 10000 100000}

mkdir -p "$OUT"
log() { echo "== $*" >&2; }

if [ $BUILD = 1 ]; then
    log "cargo build --release -p tusk-cli -p tusk-gen"
    (cd "$ROOT" && cargo build --release -p tusk-cli -p tusk-gen)
fi
TUSK=${TUSK:-$CARGO_TARGET_DIR/release/tusk}
GEN=${GEN:-$CARGO_TARGET_DIR/release/tusk-gen}

if [ ! -x "$VENV/bin/nca" ]; then
    log "installing network-config-analyzer into $VENV"
    start=$(date +%s.%N)
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet network-config-analyzer
    log "NCA installed in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
fi
NCA_VERSION=$("$VENV/bin/pip" show network-config-analyzer 2>/dev/null | sed -n 's/^Version: //p')

# timed OUTFILE ERRFILE CMD... : runs CMD, stdout to OUTFILE, stderr to
# ERRFILE; prints "SECONDS PEAK_KB EXIT" (wall clock, max RSS, exit code).
timed() {
    local out=$1 err=$2; shift 2
    local tf; tf=$(mktemp)
    local rc=0
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$tf" "$@" >"$out" 2>"$err" || rc=$?
        # GNU time prefixes a "Command exited with non-zero status" line.
        echo "$(tail -n 1 "$tf") $rc"
    else
        local TIMEFORMAT=%R
        { time "$@" >"$out" 2>"$err" || rc=$?; } 2>"$tf"
        echo "$(tail -n 1 "$tf") - $rc"
    fi
    rm -f "$tf"
}

# generate N DIR: prints "SECONDS NAMESPACES DEPLOYMENTS POLICIES".
generate() {
    local n=$1 dir=$2
    local secs rc
    read -r secs _ rc <<<"$(timed /dev/null "$dir.gen.log" "$GEN" --pods "$n" --seed "$SEED" --out "$dir")"
    [ "$rc" = 0 ] || { cat "$dir.gen.log" >&2; exit 1; }
    # "tusk-gen: 200 pods in 39 Deployments, 6 namespaces, 220 NetworkPolicies -> DIR"
    local deps nss pols
    read -r deps nss pols < <(sed -E 's/.* in ([0-9]+) Deployments, ([0-9]+) namespaces, ([0-9]+) NetworkPolicies.*/\1 \2 \3/' "$dir.gen.log")
    echo "$secs $nss $deps $pols"
}

# tusk_matrix DIR FORMAT OUTFILE: the median of TUSK_RUNS (default 5) timed
# runs, as "SECONDS PEAK_KB EXIT". tusk takes tens of milliseconds where a
# single sample on a shared 2-core machine can be off by 2-3x; NCA's minute
# needs no such care and runs once.
tusk_matrix() {
    # Cilium semantics: an ipBlock never selects a pod, which is NCA's reading
    # (upstream semantics would leave pod-IP-dependent pairs "unknown", since
    # generated pods have no IPs).
    local runs=${TUSK_RUNS:-5} i
    for i in $(seq "$runs"); do
        timed "$3" "$1/tusk-$2.err" "$TUSK" matrix "$1" --grain workload --policy-engine cilium --format "$2"
    done | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

nca_run() {
    local dir=$1 format=$2 outfile=$3
    timed /dev/null "$dir/nca-$format.err" "$VENV/bin/nca" --connectivity "$dir/policies.yaml" \
        --pod_list "$dir/workloads.yaml" --ns_list "$dir/namespaces.yaml" -o "$format" -f "$outfile"
}

mb() { case $1 in ''|-|n/a) echo "-" ;; *) awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }' ;; esac; }
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.0fx", a / b; else print "n/a" }'
}

RESULTS=$OUT/results.md
{
    echo "### tusk vs NCA ($(date -u +%Y-%m-%d), seed $SEED, NCA $NCA_VERSION, $(nproc) cores)"
    echo
    echo "| pods | namespaces | Deployments | policies | tusk connlist (s) | tusk peak RSS (MB) | NCA txt_no_fw_rules (s) | NCA peak RSS (MB) | speed-up | same connectivity |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$RESULTS.nca"
FW_ROWS=""

for n in $NCA_SIZES; do
    dir=$OUT/k8s-$n
    rm -rf "$dir"
    gen=$(generate "$n" "$dir")
    read -r _ nss deps pols <<<"$gen"
    log "N=$n: tusk matrix"
    read -r t_secs t_kb t_rc < <(tusk_matrix "$dir" connlist "$dir/tusk.txt")
    log "N=$n: nca (txt_no_fw_rules)"
    read -r n_secs n_kb n_rc < <(nca_run "$dir" txt_no_fw_rules "$dir/nca.txt")
    verdict="n/a"
    if [ "$t_rc" != 0 ]; then
        verdict="tusk failed (exit $t_rc: $(head -c 120 "$dir/tusk-connlist.err" | tr '\n|' '  '))"
        t_secs="n/a"; t_kb="-"
    elif [ "$n_rc" != 0 ]; then
        verdict="NCA failed (exit $n_rc)"
    elif python3 "$BENCH/compare_connectivity.py" "$dir/tusk.txt" "$dir/nca.txt" >"$dir/compare.txt" 2>&1; then
        verdict="yes ($(sed -n 's/^SAME: \([0-9]*\) .*/\1/p' "$dir/compare.txt") workload pairs + IP maps)"
    else
        verdict="**NO**, see bench/out/k8s-$n/compare.txt"
        sed -n '1,40p' "$dir/compare.txt" >&2
    fi
    [ "$n" = 1000 ] && SPEEDUP_1000=$(ratio "$n_secs" "$t_secs")
    echo "| $n | $nss | $deps | $pols | $t_secs | $(mb "$t_kb") | $n_secs | $(mb "$n_kb") | $(ratio "$n_secs" "$t_secs") | $verdict |" >>"$RESULTS.nca"
    if [ $FW_RULES = 1 ]; then
        log "N=$n: nca (txt, with firewall rules)"
        read -r f_secs _ _ < <(nca_run "$dir" txt "$dir/nca-fw.txt")
        FW_ROWS+="| $n | $f_secs |"$'\n'
    fi
done

{
    echo
    echo "### tusk scaling (seed $SEED)"
    echo
    echo "| pods | namespaces | Deployments | policies | tusk-gen (s) | tusk connlist (s) | connlist lines | tusk json > /dev/null (s) | tusk peak RSS (MB) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$RESULTS.scale"
for n in $SCALE_SIZES; do
    dir=$OUT/scale-$n
    rm -rf "$dir"
    log "N=$n: tusk-gen"
    gen=$(generate "$n" "$dir")
    read -r g_secs nss deps pols <<<"$gen"
    log "N=$n: tusk matrix (connlist, json)"
    read -r t_secs t_kb t_rc < <(tusk_matrix "$dir" connlist "$dir/tusk.txt")
    read -r j_secs _ j_rc < <(tusk_matrix "$dir" json /dev/null)
    lines=$(wc -l <"$dir/tusk.txt")
    [ "$t_rc" = 0 ] || { t_secs="failed ($t_rc)"; lines="-"; }
    [ "$j_rc" = 0 ] || j_secs="failed ($j_rc)"
    [ "$t_rc" = 0 ] || t_kb="-"
    echo "| $n | $nss | $deps | $pols | $g_secs | $t_secs | $lines | $j_secs | $(mb "$t_kb") |" >>"$RESULTS.scale"
    # The 100k cluster is ~100 MB of YAML: keep only the timings.
    [ "$n" -ge 100000 ] && rm -rf "$dir"
done

{
    cat "$RESULTS.nca"
    echo
    echo "Speed-up at 1,000 pods (NCA / tusk wall clock): ${SPEEDUP_1000:-not measured}"
    if [ -n "$FW_ROWS" ]; then
        echo
        echo "| pods | NCA default txt output, with firewall-rule minimisation (s) |"
        echo "|---:|---:|"
        printf "%s" "$FW_ROWS"
    fi
    cat "$RESULTS.scale"
    echo
    echo "Commands: \`tusk-gen --pods N --seed $SEED --out DIR\`; \`tusk matrix DIR --grain workload --policy-engine cilium --format connlist\`;"
    echo "\`nca --connectivity DIR/policies.yaml --pod_list DIR/workloads.yaml --ns_list DIR/namespaces.yaml -o txt_no_fw_rules -f OUT\`."
} >"$RESULTS"
rm -f "$RESULTS.nca" "$RESULTS.scale"
cat "$RESULTS"
