#!/usr/bin/env python3
"""Side by side: network-config-analyzer (NCA) and tusk on NCA's examples.

Usage: nca_compare.py NCA_BIN TUSK_BIN EXAMPLES_DIR WORK_DIR

For every `*-scheme.yaml` under EXAMPLES_DIR (NCA's query files), every
entry of its `networkConfigList` is one example: its policies, with the
scheme's pod and namespace lists. Both tools compute the connectivity at
workload grain (NCA `-o txt_no_fw_rules`, tusk `--grain workload -o
connlist`); lines are compared after normalising names and wording. Prints
one line per example: agree / disagree (first differing lines) / not run
(whose failure, with the message), then the counts.

Pod lists that the Kubernetes API would refuse (`"ports": {}` where a list
is required) are copied with `[]` into WORK_DIR first; that is said per
example. Nothing here decides who is right: disagreements are listed for a
human to settle against the Calico / Istio documentation.
"""
import os, re, subprocess, sys, json

try:
    import yaml  # installed with NCA in the throwaway venv
except ImportError:
    yaml = None

nca, tusk, root, work = sys.argv[1:5]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def last_line(s):
    lines = [l for l in s.strip().splitlines() if l.strip()]
    return lines[-1][:200] if lines else "(no message)"


def fixed_podlist(path):
    """A copy of a pod list with `"ports": {}` made a list, or the path."""
    try:
        text = open(path).read()
    except OSError:
        return path, False
    if '"ports": {}' not in text:
        return path, False
    out = os.path.join(work, "fixed-" + os.path.basename(path))
    open(out, "w").write(text.replace('"ports": {}', '"ports": []'))
    return out, True


def norm_conn(s):
    s = s.strip().lower().replace("connections", "connections")
    return re.sub(r"\s+", " ", s)


def norm_end(e):
    e = e.strip().replace("[External]", "")
    return e


def parse(out, tool):
    pairs = {}
    for line in out.splitlines():
        if "=>" not in line or ":" not in line:
            continue
        left, conn = line.rsplit(" : ", 1) if " : " in line else (line, "")
        src, dst = left.split("=>", 1)
        pairs[(norm_end(src), norm_end(dst))] = norm_conn(conn)
    return pairs


def examples():
    for dirpath, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if not f.endswith("-scheme.yaml") or yaml is None:
                continue
            path = os.path.join(dirpath, f)
            try:
                scheme = yaml.safe_load(open(path))
            except Exception as e:  # a scheme NCA itself would refuse
                yield path, None, None, None, f"scheme unreadable: {e}"
                continue
            if not isinstance(scheme, dict):
                continue
            base = os.path.dirname(path)
            ns = scheme.get("namespaceList")
            pods = scheme.get("podList")
            for cfg in scheme.get("networkConfigList") or []:
                pols = cfg.get("networkPolicyList") or []
                res = cfg.get("resourceList") or []
                files_ = [os.path.normpath(os.path.join(base, x)) for x in pols + res]
                name = f"{os.path.relpath(path, root)}#{cfg.get('name')}"
                yield name, files_, (os.path.normpath(os.path.join(base, pods)) if pods else None), (
                    os.path.normpath(os.path.join(base, ns)) if ns else None), None


counts = {"agree": 0, "disagree": 0, "not run": 0}
for name, pols, pods, ns, err in examples():
    if err:
        print(f"not run   {name}: {err}")
        counts["not run"] += 1
        continue
    missing = [p for p in pols + [x for x in (pods, ns) if x] if not os.path.exists(p) and "*" not in p]
    if missing or not pols:
        print(f"not run   {name}: scheme names files absent here: {missing or 'no policies'}")
        counts["not run"] += 1
        continue
    note = ""
    tusk_pods = pods
    if pods:
        tusk_pods, fixed = fixed_podlist(pods)
        if fixed:
            note = " (pod list: \"ports\": {} read as [])"
    cmd = [nca, "--connectivity"] + [x for p in pols for x in ("-r", p)] + ["-o", "txt_no_fw_rules"]
    if pods:
        cmd += ["--pod_list", pods]
    if ns:
        cmd += ["--ns_list", ns]
    rc, out, errout = run(cmd)
    if rc != 0 and "=>" not in out:
        print(f"not run   {name}: NCA: {last_line(errout or out)}")
        counts["not run"] += 1
        continue
    targs = [tusk, "matrix", "--policy-engine", "calico", "--grain", "workload", "-o", "connlist"] + pols
    targs += [x for x in (tusk_pods, ns) if x]
    trc, tout, terr = run(targs)
    if trc != 0:
        print(f"not run   {name}: tusk: {last_line(terr)}{note}")
        counts["not run"] += 1
        continue
    a, b = parse(out, "nca"), parse(tout, "tusk")
    if a == b:
        print(f"agree     {name}{note}")
        counts["agree"] += 1
        continue
    diffs = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            diffs.append(f"{k[0]} => {k[1]}: nca {a.get(k, 'none')!r} / tusk {b.get(k, 'none')!r}")
    print(f"disagree  {name}{note}: {len(diffs)} pairs differ; first: {diffs[0]}")
    counts["disagree"] += 1

print(f"summary: {counts['agree']} agree, {counts['disagree']} disagree, {counts['not run']} not run")
