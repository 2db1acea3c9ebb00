#!/usr/bin/env bash
# Byte-for-byte comparison of tusk's bad-input answers between two binaries:
# ends that name nothing or too much (`explain` and `trace` across both
# layers, each end kind of docs/endpoints.md), matrices with fewer than two
# units, `diff` without tenants, the schedule report (pools, pod ranges) and
# `tusk check` intents that cannot be checked or are not asked (one
# tusk.yaml per intent, over examples/ci and the article's kubenet estate).
# stdout, stderr and the exit code are compared. Written to check that typing
# the engines' errors (issue 6) changed no sentence.
# Usage: bench/errors-diff.sh OLD_TUSK NEW_TUSK   (exit 1 on any difference)
set -u
old=$1 new=$2
cd "$(dirname "$0")/.."
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
n=0 bad=0
same() { n=$((n+1)); local a b; a=$("$old" "$@" 2>&1; echo "exit $?"); b=$("$new" "$@" 2>&1; echo "exit $?")
  if [ "$a" != "$b" ]; then bad=$((bad+1)); echo "DIFF: tusk $*"; diff <(echo "$a") <(echo "$b") | head -6; fi; }
K=examples/article/kubenet
for from in pod:t1/nope t1/nope workload:t1/nope onprem svc:t2/api ingress:t2/web node:x subnet:a/b fw-hub t2/api t1/web 10.9.9.9 internet; do
  same explain $K --from "$from" --to workload:t2/api --port 8080
  same explain $K --to "$from" --from workload:t1/web --port 8080
  same trace $K --from "$from" --to workload:t2/api --port 8080
  same trace $K --to "$from" --from workload:t1/web --port 8080
done
same trace $K --from node:nopool --to internet --port 443
same matrix $K --grain tenant --tenant-label nope
same matrix $K --grain namespace --tenant-label nope
same matrix $K --grain workload
same schedule $K
same schedule $K -o json
same schedule $K --tenant-label tenant
same schedule $K --tenant-label tenant -o json
same diff --base $K --head $K --grain tenant --port 8080 --tenant-label nope
same diff --base $K --head $K --grain namespace --port 8080 --tenant-label nope
# check: bad intents, one file each
mk() { local d=$w/$1; rm -rf "$d"; cp -r "$2" "$d"; printf 'apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\nintents:\n%s\n' "$3" > "$d/tusk.yaml"; echo "$d"; }
for base in examples/ci $K; do
  i=0
  while IFS= read -r intent; do
    i=$((i+1)); d=$(mk "c$i" "$base" "$intent")
    same check "$d"; same check "$d" -o json
  done <<'I'
- {name: a, kind: mustReach, from: nosuch, to: spoke2-node, ports: ["443"]}
- {name: a, kind: mustReach, from: spoke1-node, to: nosuch, ports: ["443"]}
- {name: a, kind: egressOnlyVia, from: subnet:spoke1/aks-nodes, through: [nope], ports: ["443"]}
- {name: a, kind: mustNotReach, from: tenant:zz, to: workload:t2/api, ports: ["8080"]}
- {name: a, kind: mustNotReach, from: workload:t1/web, to: tenant:zz, ports: ["8080"]}
- {name: a, kind: isolatedTenants, tenants: [t1], ports: ["8080"]}
- {name: a, kind: isolatedTenants, tenants: [t1, zz], ports: ["8080"]}
- {name: a, kind: mustNotReach, from: workload:tenant-a/web, to: spoke2-node, ports: ["443"]}
- {name: a, kind: mustNotReach, from: workload:tenant-a/nope, to: workload:tenant-b/api, ports: ["8080"]}
- {name: a, kind: mustNotReach, from: workload:t1/nope, to: workload:t2/api, ports: ["8080"]}
- {name: a, kind: mustNotReach, from: node:nope, to: workload:t2/api, ports: ["8080"]}
- {name: a, kind: mustNotReach, from: node:tenant1, to: workload:t2/api, ports: ["8080"], layer: kubernetes}
- {name: a, kind: egressOnlyVia, from: workload:tenant-a/web, through: [fw-hub], ports: ["443"], layer: kubernetes}
- {name: a, kind: mustNotReach, from: workload:t1/web, to: workload:t2/api}
- {name: a, kind: mustNotReach, from: workload:t1/web, to: workload:t2/api, ports: ["1-1000"]}
- {name: a, kind: mustNotReach, from: workload:tenant-a/web, to: workload:tenant-b/api, ports: ["1-1000"]}
- {name: a, kind: mustReach, from: workload:t1/web, to: svc:t2/nope, ports: ["8080"]}
- {name: a, kind: mustNotReach, from: workload:t1/web, to: workload:t2/api, ports: ["8080"], layer: azure}
I
done
echo "error paths: $n runs, $bad differ"
[ $bad -eq 0 ]
