#!/usr/bin/env bash
# Compares network-config-analyzer (PyPI `network-config-analyzer`, command
# `nca`) with tusk on every example under ../shared/conformance/nca/
# (calico_testcases and istio_testcases). Installs NCA into a throwaway venv
# under a temporary directory; prints agree / disagree / not run per example
# and the counts (bench/nca_compare.py says how examples are read).
#
# Usage: bench/nca-compare.sh [TUSK_BIN]   (default: target/release/tusk,
# else target/debug/tusk)
#   NCA_VENV=DIR  reuse a venv holding network-config-analyzer
#   NCA_SETS="istio_testcases"  run one example set only
#   NCA_KEEP=DIR  keep both normalised reports per example in DIR
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared="$here/../shared/conformance/nca"
[ -d "$shared" ] || { echo "skipped: ../shared/conformance/nca not found" >&2; exit 1; }
tusk=${1:-}
if [ -z "$tusk" ]; then
  for t in "$here/target/release/tusk" "$here/target/debug/tusk"; do [ -x "$t" ] && { tusk=$t; break; }; done
fi
[ -n "$tusk" ] || { echo "build tusk first (cargo build -p tusk-cli)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# NCA_VENV: a venv that already holds network-config-analyzer (reused,
# not deleted); otherwise a throwaway one is made under $tmp.
venv=${NCA_VENV:-}
if [ -z "$venv" ]; then
  venv="$tmp/venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q network-config-analyzer >"$tmp/pip.log" 2>&1 || { tail -5 "$tmp/pip.log"; exit 1; }
fi
# NCA_SETS: which example sets to run (default both).
for set in ${NCA_SETS:-calico_testcases istio_testcases}; do
  echo "== $set"
  extra=""
  [ "$set" = istio_testcases ] && extra=--istio
  "$venv/bin/python" "$here/bench/nca_compare.py" "$venv/bin/nca" "$tusk" "$shared/$set" "$tmp" $extra
done
