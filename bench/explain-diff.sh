#!/usr/bin/env bash
# Byte-for-byte comparison of `tusk explain` (text, JSON), `tusk trace`
# (text, JSON) and `tusk matrix -o json` between two binaries, over every
# folder under tests/ and examples/ that holds an input file. Flows per
# folder: every ordered pair of up to MAX_PODS pods (default 4, taken from
# the old binary's `matrix --grain pod -o json`), plus one pod to and from an
# outside address, each at TCP 80 and at every port, the first pair also at
# UDP 53. `trace` is asked once only in a folder without Azure network (it
# refuses those with one message). Exit code, stdout and stderr are compared.
# SHARD=i/n runs every n-th folder from the i-th (to run two at once). Written to check that typing the explain steps
# changed no byte of output. `matrix` is also compared as text and connlist
# (their notes on stderr: policies not enforced, the ingress controller's
# undecided backends, Services without endpoints).
# INPUTS=FILE replaces the folders with FILE's lines, `NAME<TAB>tusk
# arguments` (input paths and flags, space-separated), as
# bench/nca-explain-diff.sh writes them for NCA's Calico and Istio examples.
# Usage: bench/explain-diff.sh OLD_TUSK NEW_TUSK   (exit 1 on any difference)
set -u
old=$1 new=$2
max=${MAX_PODS:-4}
shard=${SHARD:-0/1}; si=${shard%/*}; sn=${shard#*/}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=0 bad=0 folders=0 flows=0
same() { # args...: run both binaries, compare stdout+stderr+exit code
  n=$((n+1))
  local a b
  a=$("$old" "$@" 2>&1; echo "exit $?")
  b=$("$new" "$@" 2>&1; echo "exit $?")
  if [ "$a" != "$b" ]; then
    bad=$((bad+1))
    if [ $bad -le 5 ]; then echo "DIFF: tusk $*"; diff <(echo "$a") <(echo "$b") | head -10; fi
  fi
}
if [ -n "${INPUTS:-}" ]; then
  sets=$(cut -f2 "$INPUTS" | tr ' ' '|')
else
  sets=$(find tests examples -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.tf' \) -printf '%h\n' | sort -u)
fi
k=-1
for inp in $sets; do
  k=$((k+1)); [ $((k % sn)) -eq "$si" ] || continue
  folders=$((folders+1))
  IFS="|" read -r -a d <<< "$inp"
  echo "[$folders] ${d[*]}" >&2
  same matrix "${d[@]}" -o json
  same matrix "${d[@]}" -o txt
  same matrix "${d[@]}" -o connlist
  pods=$("$old" matrix "${d[@]}" --grain pod -o json 2>/dev/null | python3 -c '
import json, sys
try: rows = json.load(sys.stdin).get("rows", [])
except Exception: rows = []
seen = []
for r in rows:
  for e in (r["src"], r["dst"]):
    if e.get("type") == "pod" and "namespace" in e:
      p = "pod:%s/%s" % (e["namespace"], e["name"])
      if p not in seen: seen.append(p)
print(" ".join(seen[:'"$max"']))')
  ends=()
  for p in $pods; do ends+=("$p"); done
  pairs=()
  for s in "${ends[@]}"; do for t in "${ends[@]}"; do [ "$s" != "$t" ] && pairs+=("$s $t"); done; done
  if [ ${#ends[@]} -gt 0 ]; then pairs+=("${ends[0]} 93.184.216.34" "93.184.216.34 ${ends[0]}"); fi
  trace=yes first=yes
  for pr in "${pairs[@]}"; do
    set -- $pr
    ports=("--port 80" "")
    [ $first = yes ] && ports+=("--proto udp --port 53")
    for port in "${ports[@]}"; do
      flows=$((flows+1))
      for fmt in txt json; do
        same explain "${d[@]}" --from "$1" --to "$2" $port -o $fmt
        if [ $trace = yes ]; then
          same trace "${d[@]}" --from "$1" --to "$2" $port -o $fmt
          if "$old" trace "${d[@]}" --from "$1" --to "$2" $port -o $fmt 2>&1 | grep -q "holds no subnet"; then trace=no; fi
        fi
      done
    done
    first=no
  done
done
echo "folders $folders, flows $flows, runs $n, differing $bad"
[ $bad -eq 0 ]
