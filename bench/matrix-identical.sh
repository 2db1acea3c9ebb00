#!/usr/bin/env bash
# `tusk matrix --port` byte-identity between two binaries over every AKS fixture
# (examples/article/*, tests/aks/*/input): 4 grains x 4 flows x 3 actors x 6
# formats, stdout, stderr and exit code. Usage: bench/matrix-identical.sh OLD NEW
cd "$(dirname "$0")/.." || exit 2
OLD=$1; NEW=$2; runs=0; diffs=0; T=$(mktemp -d)
for D in examples/article/kubenet examples/article/cni tests/aks/*/input; do
  for g in tenant namespace workload pod; do
    for flow in "--port 8080" "--port 443" "--proto udp --port 53" "--port 1433"; do
      for a in both pod node; do
        for o in txt json csv md dot connlist; do
          runs=$((runs+1))
          $OLD matrix $D --grain $g $flow --actor $a -o $o >$T/o 2>$T/oe; ro=$?
          $NEW matrix $D --grain $g $flow --actor $a -o $o >$T/n 2>$T/ne; rn=$?
          if [ $ro != $rn ] || ! cmp -s $T/o $T/n || ! cmp -s $T/oe $T/ne; then diffs=$((diffs+1)); echo "DIFFERS ($ro vs $rn): matrix $D --grain $g $flow --actor $a -o $o"; fi
        done
      done
    done
  done
done
echo "$runs runs, $diffs differ"; rm -rf "$T"; [ "$diffs" = 0 ]
