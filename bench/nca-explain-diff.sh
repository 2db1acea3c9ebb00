#!/usr/bin/env bash
# bench/explain-diff.sh over NCA's Calico and Istio examples
# (../shared/conformance/nca): each example's inputs are prepared as
# bench/nca_compare.py prepares them for tusk (without running NCA, so
# without the namespaces it would assume from NCA's output), then
# `explain`, `trace` and `matrix` are compared byte for byte between two
# binaries, once per distinct input set (MAX_PODS defaults to 2 here).
# Needs python3 with PyYAML.
# Usage: bench/nca-explain-diff.sh OLD_TUSK NEW_TUSK   (exit 1 on any difference)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
shared="$here/../shared/conformance/nca"
[ -d "$shared" ] || { echo "skipped: ../shared/conformance/nca not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for set in calico_testcases istio_testcases; do
  extra=""
  [ "$set" = istio_testcases ] && extra=--istio
  mkdir -p "$work/$set"
  TUSK_INPUTS="$work/inputs" python3 "$here/bench/nca_compare.py" - "$1" "$shared/$set" "$work/$set" $extra >/dev/null
done
echo "$(wc -l < "$work/inputs") examples" >&2
sort -t"	" -k2,2 -u "$work/inputs" > "$work/unique"
MAX_PODS=${MAX_PODS:-2} INPUTS="$work/unique" bash "$here/bench/explain-diff.sh" "$1" "$2"
