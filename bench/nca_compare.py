#!/usr/bin/env python3
"""Side by side: network-config-analyzer (NCA) and tusk on NCA's examples.

Usage: nca_compare.py NCA_BIN TUSK_BIN EXAMPLES_DIR WORK_DIR [--istio]

With `--istio` (the Istio examples), tusk runs without `--policy-engine`
and gives its JSON matrix; both reports are read by bench/nca_istio.py,
which keeps NCA's TCP / non-TCP sections apart and compares TCP per port as
allowed, allowed for some HTTP requests only (L7), or unknown; each L7 cell
is then probed with `tusk explain --http-method/--http-path` against NCA's
cube (`l7_probes`).

For every `*-scheme.yaml` under EXAMPLES_DIR (NCA's query files), every
entry of its `networkConfigList` is one example: its policies, with the
scheme's pod and namespace lists. Both tools compute the connectivity at
workload grain (NCA `-o txt_no_fw_rules`, tusk `--grain workload -o
connlist`); lines are compared after normalising names and wording. Prints
one line per example: agree / disagree (first differing lines) / not run
(whose failure, with the message), then the counts.

Pod lists that the Kubernetes API would refuse (`"ports": {}` where a list
is required) are copied with `[]` into WORK_DIR first, and NCA's bundles (a
top-level JSON array of lists) are split into one file per list; that is
said per example. tusk's connlist names only definite allows: a cell tusk
reports unknown (an ICMP type, say) shows as a disagreement here; `tusk
explain` on such a pair gives the reason. Nothing here decides who is right: disagreements are listed for a
human to settle against the Calico / Istio documentation.

With NCA_BIN `-` NCA is not run: each example's tusk inputs (prepared as
above, without the namespaces assumed from NCA's output) are written, one
line per example, to the file the env var TUSK_INPUTS names (`NAME<TAB>tusk
arguments`, space-separated; bench/nca-explain-diff.sh reads it).
"""
import glob, json, os, re, subprocess, sys

try:
    import yaml  # installed with NCA in the throwaway venv
except ImportError:
    yaml = None

nca, tusk, root, work = sys.argv[1:5]
ISTIO = "--istio" in sys.argv[5:]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nca_istio  # noqa: E402


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def last_line(s):
    """The first error line of a tool's output (its last line otherwise)."""
    lines = [l for l in s.strip().splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("error") or l.startswith("Error")]
    return (errors or lines or ["(no message)"])[0 if errors else -1][:240]


def fixed_podfolder(path):
    """A pod folder as tusk reads it: when one of its files has `"ports":
    {}`, a copy of the folder under WORK_DIR with each such file fixed as
    [`fixed_podlist`] fixes it (the other files copied unchanged)."""
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs)
    if not any('"ports": {}' in open(f, errors="replace").read() for f in files):
        return path, ""
    out = os.path.join(work, "fixed-" + path.strip("/").replace("/", "_")[-80:])
    for f in files:
        dst = os.path.join(out, os.path.relpath(f, path))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        text = open(f, errors="replace").read()
        open(dst, "w").write(text.replace('"ports": {}', '"ports": []'))
    return out, '"ports": {} read as [] (in the folder\'s files)'


def fixed_podlist(path):
    """The pod list as tusk reads it, and what was changed: `"ports": {}`
    (a mapping where the API requires a list) made `[]`; a top-level JSON
    array of lists (NCA's own bundle, which kubectl never writes) split
    into one file per list."""
    if os.path.isdir(path):
        return fixed_podfolder(path)
    try:
        text = open(path).read()
    except OSError:
        return path, ""
    notes = []
    # (also as YAML: a folder's workloads come here re-written by
    # `workloads_only`)
    if '"ports": {}' in text or re.search(r"^[\s-]*ports: \{\}$", text, re.M):
        text = text.replace('"ports": {}', '"ports": []')
        text = re.sub(r"^([\s-]*)ports: \{\}$", r"\1ports: []", text, flags=re.M)
        notes.append('"ports": {} read as []')
    base = os.path.join(work, "fixed-" + os.path.basename(path))
    try:
        doc = json.loads(text) if path.endswith(".json") else None
    except ValueError:
        doc = None
    if isinstance(doc, list) and all(isinstance(x, dict) and "kind" in x for x in doc):
        os.makedirs(base + ".d", exist_ok=True)
        for i, part in enumerate(doc):
            with open(os.path.join(base + ".d", f"{i:02}.json"), "w") as f:
                json.dump(part, f)
        notes.append("top-level array split into its lists")
        return base + ".d", "; ".join(notes)
    if not notes:
        return path, ""
    open(base, "w").write(text)
    return base, "; ".join(notes)


COMPARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare_connectivity.py")


def without_host_endpoints(nca_out):
    """NCA's report without the lines of host endpoints (bare names, neither
    `ns/name[Kind]` nor an address): tusk does not model the host's own
    traffic, so those pairs are not compared. Returns (text, lines left out)."""
    kept, dropped = [], 0
    for line in nca_out.splitlines():
        if " => " in line and " : " in line:
            src, rest = line.split(" => ", 1)
            dst = rest.rsplit(" : ", 1)[0]
            if any("/" not in e and e.strip()[:1].isalpha() for e in (src, dst)):
                dropped += 1
                continue
        kept.append(line)
    return "\n".join(kept) + "\n", dropped


def compare(tusk_out, nca_out):
    """bench/compare_connectivity.py on the two reports: (same?, detail,
    [(differing pair or map, tusk's side)])."""
    a, b = os.path.join(work, "tusk.txt"), os.path.join(work, "nca.txt")
    open(a, "w").write(tusk_out)
    open(b, "w").write(nca_out)
    rc, out, err = run([sys.executable, COMPARE, a, b, "--names", "tusk,nca", "--limit", "100000"])
    if rc == 2:
        return None, last_line(err or out), []
    diffs = []
    for l in out.splitlines():
        if l.startswith("  ") and not l.startswith("   "):
            diffs.append([l.strip(), ""])
        elif l.strip().startswith("tusk:") and diffs:
            diffs[-1][1] = l.strip()[len("tusk:"):].strip()
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    detail = " | ".join(l for l in lines if not l.startswith(("tusk:", "nca:")))
    return rc == 0, detail[:600], diffs


def declared_namespaces(paths):
    """Names of the Namespace documents (or List items) under `paths`."""
    out = set()
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs if f.endswith((".yaml", ".yml", ".json"))]
        elif os.path.exists(p):
            files.append(p)
    for f in files:
        try:
            docs = list(yaml.safe_load_all(open(f)))
        except Exception:
            continue
        stack = [d for d in docs if isinstance(d, (dict, list))]
        while stack:
            d = stack.pop()
            if isinstance(d, list):
                stack += [x for x in d if isinstance(x, dict)]
            elif d.get("kind") == "Namespace":
                out.add((d.get("metadata") or {}).get("name"))
            elif isinstance(d.get("items"), list):
                stack += [x for x in d["items"] if isinstance(x, dict)]
    return out


def livesim_files(nca_out):
    """NCA adds "live simulation" resources when the input lacks them: the
    Istio ingress / egress gateway pods a Gateway selects, an ingress
    controller, kube-dns (files under its package's NetworkConfig/LiveSim,
    pods named `*-livesim`). For the same cluster on both sides, tusk reads
    the files whose pods NCA's report names, from the installed package
    (nothing of NCA's is copied into this repository)."""
    names = set(re.findall(r"/([-a-z0-9]+-livesim)\[", nca_out))
    if not names:
        return []
    venv = os.path.dirname(os.path.dirname(os.path.abspath(nca)))
    roots = glob.glob(os.path.join(venv, "lib", "python*", "site-packages", "nca", "NetworkConfig", "LiveSim"))
    out = []
    for root in roots:
        for f in sorted(glob.glob(os.path.join(root, "**", "*.yaml"), recursive=True)):
            text = open(f).read()
            if any(re.search(r"name:\s*" + re.escape(n) + r"\s*$", text, re.M) for n in names):
                out.append(f)
    return out


def assumed_sidecar_namespaces(nca_out, paths):
    """NCA takes every pod as having an Istio sidecar; tusk, reading
    injection from namespace labels, leaves a pod whose namespace no input
    declares unknown. In NCA's assumption (`--istio`, stated on the
    example's line), such namespaces are declared for tusk with
    `istio-injection: enabled`. Returns (file, names) or None."""
    seen = set(re.findall(r"(?:^|=> )([a-z0-9][-a-z0-9.]*)/[^ ]+\[", nca_out, re.M))
    missing = sorted(seen - declared_namespaces(paths))
    if not missing:
        return None
    f = os.path.join(work, "assumed-sidecar-namespaces.yaml")
    with open(f, "w") as fh:
        yaml.safe_dump_all([{"apiVersion": "v1", "kind": "Namespace",
                             "metadata": {"name": n, "labels": {"istio-injection": "enabled"}}} for n in missing], fh)
    return f, missing


def justified():
    """{example: {differing pair: divergence folder}} from the `examples`
    files of bench/nca-divergences/*: each line `EXAMPLE<TAB>PAIR` names one
    difference that folder's README justifies; `EXAMPLE<TAB>*` every
    difference of that example (for a README that explains the example
    whole, e.g. thousands of pod pairs from one rule)."""
    out = {}
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nca-divergences")
    for d in sorted(os.listdir(top)) if os.path.isdir(top) else []:
        f = os.path.join(top, d, "examples")
        if not os.path.exists(f):
            continue
        for line in open(f):
            if "\t" in line and not line.startswith("#"):
                ex, pair = line.rstrip("\n").split("\t", 1)
                out.setdefault(ex, {})[pair] = d
    return out


JUSTIFIED = justified()


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
                name = f"{os.path.relpath(path, root)}#{cfg.get('name')}"
                # A config's own podList / namespaceList override the
                # scheme's (NCA's scheme format).
                c_pods, c_ns = cfg.get("podList") or pods, cfg.get("namespaceList") or ns
                # Several pod / namespace sources: NCA reads them all, each
                # as its own --pod_list / --ns_list (given with -r, NCA
                # ignores their pods once --pod_list is set); tusk reads the
                # later ones as inputs.
                extra_pods, extra_ns = [], []
                if isinstance(c_pods, list):
                    c_pods, extra_pods = c_pods[0], c_pods[1:]
                if isinstance(c_ns, list):
                    c_ns, extra_ns = c_ns[0], c_ns[1:]
                # networkPolicyList entries give policies only: NCA reads no
                # pods from them, so workloads in such a folder are left out.
                files_ = [policies_only(os.path.normpath(os.path.join(base, x))) for x in pols]
                files_ += [os.path.normpath(os.path.join(base, x)) for x in res]
                extra = {"pods": [os.path.normpath(os.path.join(base, x)) for x in extra_pods],
                         "ns": [os.path.normpath(os.path.join(base, x)) for x in extra_ns]}
                yield name, files_, (os.path.normpath(os.path.join(base, c_pods)) if c_pods else None), (
                    os.path.normpath(os.path.join(base, c_ns)) if c_ns else None), None, extra


# Calico's endpoints (calicoctl's WorkloadEndpoint and HostEndpoint lists)
# are the pods of NCA's Calico examples.
WORKLOAD_KINDS = {"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
                  "ReplicationController", "Namespace", "List", "PodList", "NamespaceList",
                  "WorkloadEndpoint", "WorkloadEndpointList", "HostEndpoint", "HostEndpointList"}


def workloads_only(path):
    """`path` (a podList / namespaceList) without the policies NCA does not
    read from it (online_boutique's pod folder also holds its
    AuthorizationPolicies): a filtered copy under WORK_DIR when it holds
    any, else `path` itself."""
    return policies_only(path, keep_workloads=True)


def policies_only(path, keep_workloads=False):
    """`path` (a file or folder of a networkPolicyList) without the
    workload and namespace documents NCA does not read from it: a filtered
    copy under WORK_DIR when it holds any, else `path` itself."""
    if yaml is None or not os.path.exists(path):
        return path
    files = [path] if os.path.isfile(path) else sorted(
        os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith((".yaml", ".yml", ".json")))
    kept, dropped = [], 0
    for f in files:
        try:
            docs = list(yaml.safe_load_all(open(f)))
        except Exception:
            return path  # let the tools report it
        for d in docs:
            if isinstance(d, dict) and (d.get("kind") in WORKLOAD_KINDS) != keep_workloads:
                dropped += 1
            elif d is not None:
                kept.append(d)
    if not dropped:
        return path
    kind = "workloads-" if keep_workloads else "policies-"
    out = os.path.join(work, kind + path.strip("/").replace("/", "_")[-80:] + ".yaml")
    with open(out, "w") as fh:
        yaml.safe_dump_all(kept, fh)
    return out


counts = {"agree": 0, "justified": 0, "tusk unknown": 0, "disagree": 0, "not run": 0}
for name, pols, pods, ns, err, *more in examples():
    extra = more[0] if more else {"pods": [], "ns": []}
    if err:
        print(f"not run   {name}: {err}")
        counts["not run"] += 1
        continue
    missing = [p for p in pols + [x for x in (pods, ns) if x] if not os.path.exists(p) and "*" not in p]
    if missing or not pols:
        # The paths are the scheme's own, relative to the scheme's folder, as
        # NCA resolves them; what is missing is outside the copy in ../shared
        # (e.g. NCA's tests/k8s_testcases/example_podlist).
        rel = sorted({os.path.relpath(m, root) for m in missing})
        print(f"not run   {name}: input missing: the scheme names {rel or 'no policies'}, not in the copy of NCA's examples")
        counts["not run"] += 1
        continue
    note = ""
    tusk_pods = pods
    tusk_ns = ns
    if ns and pods and os.path.abspath(ns) == os.path.abspath(pods):
        tusk_ns = None  # one folder gives both lists: read it once
    elif ns:
        inside_ns = any(os.path.abspath(p).startswith(os.path.abspath(ns).rstrip("/") + "/") for p in pols)
        tusk_ns = ns if inside_ns else workloads_only(ns)
    if pods:
        # A pod folder that also holds the config's resources is read whole
        # (tusk skips what it already read); otherwise only its workloads.
        inside = any(os.path.abspath(p).startswith(os.path.abspath(pods).rstrip("/") + "/") for p in pols)
        tusk_pods, fixed = fixed_podlist(pods if inside else workloads_only(pods))
        if fixed:
            note = f" (pod list: {fixed})"
        # A pod folder that holds the namespace list itself: read it once.
        if os.path.isdir(pods) and ns and os.path.exists(os.path.join(pods, os.path.basename(ns))):
            tusk_ns = None
    if nca == "-":
        engine = [] if ISTIO else ["--policy-engine", "calico"]
        with open(os.environ["TUSK_INPUTS"], "a") as fh:
            args = engine + pols + [x for x in (tusk_pods, tusk_ns) if x]
            args += [x for x in dict.fromkeys(extra["pods"] + extra["ns"]) if x not in args]
            fh.write(name + "\t" + " ".join(args) + "\n")
        continue
    cmd = [nca, "--connectivity"] + [x for p in pols for x in ("-r", p)] + ["-o", "txt_no_fw_rules"]
    if pods:
        cmd += ["--pod_list", pods]
    if ns:
        cmd += ["--ns_list", ns]
    for x in extra["pods"]:
        cmd += ["--pod_list", x]
    for x in extra["ns"]:
        cmd += ["--ns_list", x]
    rc, out, errout = run(cmd)
    if rc != 0 and "=>" not in out:
        print(f"not run   {name}: NCA: {last_line(errout or out)}")
        counts["not run"] += 1
        continue
    # A Calico example with Istio policies: NCA's report has the Istio
    # sections (`TCP Connections:`), compared as the Istio set's are, with
    # tusk still under the Calico engine.
    istio_here = ISTIO or re.search(r"^TCP Connections:", out, re.M) is not None
    if istio_here:
        sim = livesim_files(out)
        engine = [] if ISTIO else ["--policy-engine", "calico"]
        targs = [tusk, "matrix"] + engine + ["--grain", "workload", "-o", "json"] + pols + sim
        if sim:
            note += f" (NCA's live-simulation resources read by both: {', '.join(os.path.basename(f) for f in sim)})"
        assumed = assumed_sidecar_namespaces(
            out, pols + sim + extra["pods"] + extra["ns"] + [x for x in (tusk_pods, tusk_ns) if x])
        if assumed:
            targs.append(assumed[0])
            note += f" (namespaces no input declares taken as sidecar-injected, as NCA assumes: {', '.join(assumed[1])})"
    else:
        targs = [tusk, "matrix", "--policy-engine", "calico", "--grain", "workload", "-o", "connlist"] + pols
    targs += [x for x in (tusk_pods, tusk_ns) if x]
    targs += [x for x in dict.fromkeys(extra["pods"] + extra["ns"]) if x not in targs]
    trc, tout, terr = run(targs)
    if trc != 0:
        print(f"not run   {name}: tusk: {last_line(terr)}{note}")
        counts["not run"] += 1
        continue
    if istio_here:
        if not ISTIO:
            note += " (Istio sections: compared as the Istio set's)"
        try:
            tout, l7notes, skipped = nca_istio.tusk_lines(json.loads(tout))
            out, dns = nca_istio.nca_lines(out)
        except ValueError as e:
            print(f"not run   {name}: comparer: {e}")
            counts["not run"] += 1
            continue
        if dns:
            note += f" (NCA's DNS-name peers not compared: {', '.join(dns)})"
        if skipped:
            note += f" (tusk peers not compared: {len(skipped)})"
    out, heps = without_host_endpoints(out)
    if heps:
        note += f" ({heps} NCA lines of host endpoints not compared)"
    same, detail, diffs = compare(tout, out)
    keep = os.environ.get("NCA_KEEP")
    if keep:
        # NCA_KEEP=DIR: both sides' normalised reports per example, to read
        # a disagreement whole.
        os.makedirs(keep, exist_ok=True)
        stem = os.path.join(keep, re.sub(r"[^A-Za-z0-9_.-]+", "_", name))
        open(stem + ".tusk.txt", "w").write(tout)
        open(stem + ".nca.txt", "w").write(out)
        # Each difference as `EXAMPLE<TAB>PAIR`, the line format of a
        # divergence's `examples` file.
        open(stem + ".diffs.txt", "w").write("".join(f"{name}\t{p}\n" for p, _ in diffs))
    known = JUSTIFIED.get(name, {})
    if "*" in known:
        known = {p: known["*"] for p, _ in diffs}
    if same is None:
        print(f"not run   {name}: comparer: {detail}")
        counts["not run"] += 1
    elif same:
        print(f"agree     {name}{note}")
        counts["agree"] += 1
    elif all(p in known or "UNKNOWN-" in t for p, t in diffs) and any(p in known for p, _ in diffs):
        dirs = sorted({known[p] for p, _ in diffs if p in known})
        unk = sum(1 for p, _ in diffs if p not in known)
        more = f"; {unk} more tusk unknown" if unk else ""
        print(f"justified {name}{note}: {len(diffs) - unk} differences, see bench/nca-divergences/{', '.join(dirs)}{more}")
        counts["justified"] += 1
    elif diffs and all("UNKNOWN-" in t for _, t in diffs):
        # tusk's failure to decide, not a contradiction: name what it lacks.
        why = sorted({l.split(": ", 2)[-1][:200] for l in terr.splitlines() if "W0099" in l or "not model" in l})
        print(f"unknown   {name}{note}: tusk leaves {len(diffs)} pairs unknown that NCA decides: {' | '.join(why[:3]) or 'see tusk -o txt'}")
        counts["tusk unknown"] += 1
    else:
        print(f"disagree  {name}{note}: {detail}")
        counts["disagree"] += 1
    sys.stdout.flush()

print("summary: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
