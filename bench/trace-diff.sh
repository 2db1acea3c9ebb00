#!/usr/bin/env bash
# Byte-for-byte comparison of `tusk trace` between two binaries (text and
# JSON, both actors) over the example and fixture estates and variants of
# the article's estate built here (every plugin, outbound types, an
# ip-masq-agent ConfigMap, a rule splitting a pool's addresses, a route in
# the overlay pod CIDR, a Service without a frontend address).
# Usage: bench/trace-diff.sh OLD_TUSK NEW_TUSK   (exit 1 on any difference)
set -u
old=$1 new=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
variant() { # name base python-edit-of-cluster(c) and network(n)
  local name=$1 base=$2 edit=$3
  cp -r "examples/article/$base" "$work/$name"
  python3 - "$work/$name" "$edit" <<'PY'
import json, sys
d, edit = sys.argv[1], sys.argv[2]
c = json.load(open(d + "/cluster.json")); n = json.load(open(d + "/network.json"))
exec(edit)
json.dump(c, open(d + "/cluster.json", "w"), indent=1); json.dump(n, open(d + "/network.json", "w"), indent=1)
PY
}
np='c["properties"]["networkProfile"]'
variant kubenet kubenet ''
variant cni cni ''
variant overlay kubenet "$np.update(networkPlugin='azure', networkPluginMode='overlay')"
variant cilium kubenet "$np.update(networkPlugin='azure', networkPluginMode='overlay', networkDataplane='cilium', networkPolicy='cilium')"
variant lb kubenet "$np['outboundType']='loadBalancer'"
variant nat cni "$np['outboundType']='managedNATGateway'"
variant noplugin kubenet "del $np['networkPlugin']"
variant overlay-route kubenet "$np.update(networkPlugin='azure', networkPluginMode='overlay'); [r for r in n['value'] if r.get('name')=='rt-aks'][0]['properties']['routes'].append({'name':'pods-to-fw','properties':{'addressPrefix':'10.244.1.0/24','nextHopType':'VirtualAppliance','nextHopIpAddress':'10.0.1.4'}})"
variant split kubenet "[r for r in n['value'] if r.get('name')=='nsg-tenant2'][0]['properties']['securityRules'].append({'name':'half-of-tenant1','properties':{'priority':150,'direction':'Inbound','access':'Deny','protocol':'*','sourceAddressPrefix':'10.1.1.0/25','sourcePortRange':'*','destinationAddressPrefix':'*','destinationPortRange':'*'}})"
cat > "$work/kubenet/k8s/ip-masq.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: azure-ip-masq-agent-config, namespace: kube-system}
data:
  ip-masq-agent: |
    nonMasqueradeCIDRs:
      - 10.1.10.0/24
Y
sed '/^status:/,/^---/{/^---/!d}' tests/aks/ways-in/services.yaml > "$work/no-frontend.yaml"
flows=(
  "--from workload:t1/web --to workload:t2/api --port 8080"
  "--from workload:t1/web --to workload:t1/web --port 8080"
  "--from workload:t2/api --to workload:t1/web --port 8080"
  "--from node:tenant1 --to pe-sql --port 1433"
  "--from node:tenant1 --to workload:t2/api --port 8080"
  "--from pod:t1/web-0 --to internet --port 443"
  "--from pod:t1/web-0 --to internet:140.82.112.3 --port 443"
  "--from pod:t1/web-0 --to pe-sql --port 1433"
  "--from pod:t1/web-0 --to pe-sql --port 1433 --proto any"
  "--from pod:t1/web-0 --to svc:t2/api --port 80"
  "--from pe-sql --to workload:t2/api --port 8080"
  "--from 10.1.10.5 --to svc:t2/api --port 80"
  "--from internet:198.51.100.7 --to svc:t2/api-public --port 80"
  "--from internet:198.51.100.7 --to svc:t2/api-internal --port 80"
  "--from 10.1.0.50 --to 10.1.10.200 --port 80"
  "--from pe-sql --to svc:t2/api-public --port 80"
  "--from internet:198.51.100.7 --to svc:ingress-nginx/ingress-nginx-controller --port 443"
  "--from workload:ingress-nginx/ingress-nginx-controller --to svc:t2/api --port 80"
  "--from workload:t1/agent --to workload:t2/api --port 8080"
  "--from node:system --to workload:t2/api --port 8080"
)
estates=()
for v in kubenet cni overlay cilium lb nat noplugin overlay-route split; do
  estates+=("$work/$v tests/aks/ways-in/services.yaml")
done
estates+=("$work/kubenet $work/no-frontend.yaml")
estates+=("examples/mesh/calico" "examples/mesh/cilium")
mesh_flows=("--from workload:shop/cart --to workload:pay/api --port 8080" "--from node:system --to workload:pay/api --port 8080")
tenant_flows=("--from workload:t1/web --to workload:t2/api --port 8080" "--from pod:t2/debug --to workload:t1/web --port 80" "--from workload:monitoring/node-agent --to workload:kube-system/coredns --port 53 --proto udp")
n=0 bad=0
run() { # estate flow
  for actor in pod node; do
    for fmt in txt json; do
      n=$((n+1))
      a=$("$old" trace $1 $2 --actor $actor -o $fmt 2>&1; echo "exit $?")
      b=$("$new" trace $1 $2 --actor $actor -o $fmt 2>&1; echo "exit $?")
      if [ "$a" != "$b" ]; then
        bad=$((bad+1)); echo "DIFF: trace $1 $2 --actor $actor -o $fmt"
        diff <(echo "$a") <(echo "$b") | head -10
      fi
    done
  done
}
for e in "${estates[@]}"; do
  case $e in
    examples/mesh/*) fl=("${mesh_flows[@]}") ;;
    *) fl=("${flows[@]}") ;;
  esac
  for f in "${fl[@]}"; do run "$e" "$f"; done
done
for f in "${tenant_flows[@]}"; do run "tests/aks/tenants/input" "$f"; done
echo "$n runs, $bad differ"
[ "$bad" = 0 ]
