#!/usr/bin/env bash
# Compares network-config-analyzer (PyPI `network-config-analyzer`, command
# `nca`) with tusk on every example under ../shared/conformance/nca/
# (calico_testcases and istio_testcases). Installs NCA into a throwaway venv
# under a temporary directory; prints agree / disagree / not run per example
# and the counts (bench/nca_compare.py says how examples are read).
#
# Usage: bench/nca-compare.sh [TUSK_BIN]   (default: target/release/tusk,
# else target/debug/tusk)
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
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q network-config-analyzer >"$tmp/pip.log" 2>&1 || { tail -5 "$tmp/pip.log"; exit 1; }
for set in calico_testcases istio_testcases; do
  echo "== $set"
  "$tmp/venv/bin/python" "$here/bench/nca_compare.py" "$tmp/venv/bin/nca" "$tusk" "$shared/$set" "$tmp"
done
