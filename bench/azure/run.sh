#!/usr/bin/env bash
# Azure layer benchmark: builds release, generates the large hub & spoke
# estate (200 spokes, 2,000 subnets, 20,000 NSG rules, 400-route tables,
# one hub firewall with 5,000 rules), then times load, one trace and the
# verdicts of all subnet pairs for one port. See bench/azure/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-bench/out/azure-estate}
PORT=${PORT:-443}
# Two builds: `--example` restricts a build to that target, so the binary
# needs its own.
cargo build --release -q -p tusk-cli
cargo build --release -q -p tusk-network --example gen_azure_estate
TARGET=${CARGO_TARGET_DIR:-target}
"$TARGET/release/examples/gen_azure_estate" "$OUT"
du -sh "$OUT"
TUSK="$TARGET/release/tusk"

echo "== load + prepare + one trace + all subnet pairs (port $PORT)"
/usr/bin/time -f "wall %e s, max RSS %M KB" "$TUSK" reach "$OUT" --port "$PORT" --timings

echo "== one trace end to end (load included)"
/usr/bin/time -f "wall %e s" "$TUSK" trace "$OUT" --from vm-s1-n0-nic --to vm-s77-n3-nic --port "$PORT" >/dev/null

echo "== effective routes of one subnet (400-route table), end to end"
/usr/bin/time -f "wall %e s" "$TUSK" routes "$OUT" --subnet spoke1/snet0 >/dev/null
