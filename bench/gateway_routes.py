#!/usr/bin/env python3
"""Adds Istio gateway routing to a `tusk-gen --mesh` cluster, for
bench/gateway-growth.sh: an ingress gateway pod (istio-system, istio-proxy
alone), a Gateway (HTTP 80, every host), and for every 10th Deployment of
workloads.yaml a Service selecting it and a VirtualService bound to the
Gateway (a `/api` prefix route, then a catch-all), so routes grow with pods.

Usage: gateway_routes.py CLUSTER_DIR   (writes CLUSTER_DIR/gateway.yaml)
"""
import os
import re
import sys

out_dir = sys.argv[1]
text = open(os.path.join(out_dir, "workloads.yaml")).read()
deps = []
for doc in text.split("\n---"):
    if "kind: Deployment" not in doc:
        continue
    name = re.search(r"^  name: (\S+)", doc, re.M).group(1)
    ns = re.search(r"^  namespace: (\S+)", doc, re.M).group(1)
    key, value = re.search(r"matchLabels:\n\s+(\S+): (\S+)", doc).groups()
    deps.append((ns, name, key, value))
have_ns = re.search(r"name: istio-system\n", open(os.path.join(out_dir, "namespaces.yaml")).read())
parts = []
if not have_ns:
    parts.append("apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}")
parts.append(
    "apiVersion: v1\nkind: Pod\nmetadata: {name: ingressgateway, namespace: istio-system, labels: {istio: ingressgateway}}\n"
    "spec: {containers: [{name: istio-proxy, image: proxyv2}]}"
)
parts.append(
    "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: ingress, namespace: istio-system}\n"
    "spec:\n  selector: {istio: ingressgateway}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n"
    "    hosts: [\"*\"]"
)
for i, (ns, name, key, value) in enumerate(deps[::10]):
    parts.append(
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: gw-{name}, namespace: {ns}}}\n"
        f"spec: {{selector: {{{key}: {value}}}, ports: [{{name: http, port: 80, targetPort: 8080}}]}}"
    )
    parts.append(
        f"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: gw-{name}, namespace: {ns}}}\n"
        f"spec:\n  hosts: [{name}-{i}.example.com]\n  gateways: [istio-system/ingress]\n  http:\n"
        f"  - match: [{{uri: {{prefix: /api}}}}]\n    route: [{{destination: {{host: gw-{name}, port: {{number: 80}}}}}}]\n"
        f"  - route: [{{destination: {{host: gw-{name}}}}}]"
    )
open(os.path.join(out_dir, "gateway.yaml"), "w").write("\n---\n".join(parts) + "\n")
print(f"{len(deps[::10])} VirtualServices and Services")
