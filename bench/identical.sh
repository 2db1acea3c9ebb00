#!/usr/bin/env bash
# Byte-identity of `tusk reach` and `tusk trace` between two binaries, over
# every estate under tests/ and examples/ (issue 6 item 2: a refactor of
# the engine must not change one byte of what these commands print).
#
# For each folder that holds an Azure estate (each `input/` folder under
# tests/, each folder of examples/ with its own files), it runs with both
# binaries and compares stdout, stderr and the exit code:
#   * `reach` on TCP 443 and 22, UDP 53 and ICMP, as txt and json;
#   * `trace` between every ordered pair of up to MAX_SUBNETS subnets
#     (`subnet:VNET/SUBNET`, every NIC pair), TCP 443 as txt and json;
#   * `trace` from each of those subnets to an Internet address, without
#     and with `--fqdn` (firewall application rules), and with `--proto any`;
#   * `trace` between every ordered pair of up to MAX_MEMBERS named members
#     (the NICs and samples `reach -o json` lists), TCP 443 and UDP 53.
# Prints one line per difference and a summary; exits 1 on any difference.
#
# Usage: bench/identical.sh OLD_TUSK NEW_TUSK
#        MAX_SUBNETS=6 MAX_MEMBERS=6 bench/identical.sh old/tusk target/release/tusk
#        EXTRA="bench/out/small-estate" bench/identical.sh ...   # more folders
set -uo pipefail
cd "$(dirname "$0")/.."
OLD=$1
NEW=$2
MAX_SUBNETS=${MAX_SUBNETS:-8}
MAX_MEMBERS=${MAX_MEMBERS:-6}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

runs=0
diffs=0
compare() { # command arguments after the binary
  runs=$((runs + 1))
  "$OLD" "$@" >"$TMP/o.out" 2>"$TMP/o.err"
  local ro=$?
  "$NEW" "$@" >"$TMP/n.out" 2>"$TMP/n.err"
  local rn=$?
  if [ "$ro" != "$rn" ] || ! cmp -s "$TMP/o.out" "$TMP/n.out" || ! cmp -s "$TMP/o.err" "$TMP/n.err"; then
    diffs=$((diffs + 1))
    echo "DIFFERS (exit $ro vs $rn): tusk $*"
  fi
}

estates() {
  find tests -type d -name input | sort
  for d in examples/*/ examples/*/*/; do
    # A folder with files of its own (not only sub-folders).
    if find "$d" -maxdepth 1 -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' \) | grep -q .; then
      echo "${d%/}"
    fi
  done
}

for D in $(estates) ${EXTRA:-}; do
  if ! "$NEW" reach "$D" --port 443 -o json >"$TMP/reach.json" 2>/dev/null; then
    # Not an estate reach can read: still compare what both say.
    compare reach "$D" --port 443
    continue
  fi
  for args in "--port 443" "--port 22" "--proto udp --port 53" "--proto icmp"; do
    # shellcheck disable=SC2086
    compare reach "$D" $args
    # shellcheck disable=SC2086
    compare reach "$D" $args -o json
  done
  python3 - "$TMP/reach.json" "$MAX_SUBNETS" "$MAX_MEMBERS" >"$TMP/ends" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
subnets, members = [], []
for p in doc["pairs"]:
    for s in (p["from"], p["to"]):
        if s not in subnets:
            subnets.append(s)
    for m in p.get("members") or []:
        for e in (m["from"], m["to"]):
            if e not in members and " " not in e:
                members.append(e)
for s in subnets[: int(sys.argv[2])]:
    print("S", s)
for m in members[: int(sys.argv[3])]:
    print("M", m)
EOF
  mapfile -t S < <(awk '$1 == "S" { print $2 }' "$TMP/ends")
  mapfile -t M < <(awk '$1 == "M" { print $2 }' "$TMP/ends")
  for a in "${S[@]}"; do
    for b in "${S[@]}"; do
      [ "$a" = "$b" ] && continue
      compare trace "$D" --from "subnet:$a" --to "subnet:$b" --port 443
      compare trace "$D" --from "subnet:$a" --to "subnet:$b" --port 443 -o json
    done
    compare trace "$D" --from "subnet:$a" --to internet:93.184.216.34 --port 443
    compare trace "$D" --from "subnet:$a" --to internet:93.184.216.34 --port 443 --fqdn www.example.com
    compare trace "$D" --from "subnet:$a" --to internet:93.184.216.34 --port 443 --fqdn www.example.com -o json
    compare trace "$D" --from "subnet:$a" --to internet:93.184.216.34 --port 443 --proto any
  done
  for a in "${M[@]}"; do
    for b in "${M[@]}"; do
      [ "$a" = "$b" ] && continue
      compare trace "$D" --from "$a" --to "$b" --port 443
      compare trace "$D" --from "$a" --to "$b" --proto udp --port 53 -o json
    done
  done
done
echo "identical.sh: $runs commands, $diffs differ ($OLD vs $NEW)"
[ "$diffs" = 0 ]
