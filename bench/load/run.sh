#!/usr/bin/env bash
# Load speed by stage (read, tusk's positioned parse, whole load into the
# estate) on generated estates, with serde_json's parse-only speed on the
# same JSON as the reference. See bench/load/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-bench/out}
RUNS=${RUNS:-5}
cargo build --release -q -p tusk-gen
cargo build --release -q -p tusk-network --example gen_azure_estate
cargo build --release -q -p tusk-load --example load_speed
TARGET=${CARGO_TARGET_DIR:-target}
[ -d "$OUT/scale-100000" ] || "$TARGET/release/tusk-gen" --pods 100000 --seed 1 --out "$OUT/scale-100000"
[ -d "$OUT/azure-estate" ] || "$TARGET/release/examples/gen_azure_estate" "$OUT/azure-estate"
mkdir -p "$OUT/arm-estate"
[ -f "$OUT/arm-estate/template.json" ] || python3 bench/load/gen_arm.py "$OUT/arm-estate/template.json" 200
# The same kind of estate as a Terraform plan (40 spokes: the plan carries each
# resource three times, prior state, planned values and changes; 18.8 MB).
mkdir -p "$OUT/tf-estate"
[ -f "$OUT/tf-estate/plan.json" ] || python3 bench/load/gen_tf.py "$OUT/tf-estate/plan.json" 40
# The whole estate of bench/aks/run.sh at 100,000 pods (issue 7 item 8).
[ -d "$OUT/estate-100000" ] || "$TARGET/release/tusk-gen" --estate --pods 100000 --namespaces 500 --policies 10000 --out "$OUT/estate-100000"
du -sh "$OUT/azure-estate" "$OUT/arm-estate" "$OUT/tf-estate" "$OUT/scale-100000" "$OUT/estate-100000"
INPUTS=("$OUT/azure-estate" "$OUT/arm-estate" "$OUT/tf-estate" "$OUT/scale-100000" "$OUT/estate-100000")
# BEFORE=path/to/an/older/load_speed compares with an older build of the
# same example (see README.md for how the recorded one was built).
if [ -n "${BEFORE:-}" ]; then
  echo "== before: $BEFORE"
  "$BEFORE" --runs "$RUNS" "${INPUTS[@]}"
fi
echo "== this tree"
"$TARGET/release/examples/load_speed" --runs "$RUNS" "${INPUTS[@]}"
