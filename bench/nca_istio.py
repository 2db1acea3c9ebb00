#!/usr/bin/env python3
"""Istio examples: NCA's two-section, L7-aware report and tusk's JSON matrix
brought to one three-valued line format, for bench/compare_connectivity.py.

NCA (`-o txt_no_fw_rules`) on Istio resources prints two sections:

  TCP Connections:       what Istio's proxies let through; a cube may name
                         `dst_ports`, `methods`, `paths`, `hosts` (and their
                         `all but ...` forms); `All connections` = every TCP
                         port and every request
  non-TCP Connections:   UDP, SCTP, ICMP, which the proxy does not see

tusk (`matrix --grain workload -o json`) gives per pair the allowed and the
unknown ports per protocol and, in `l7`, the Istio rules on HTTP requests
that an unknown TCP cell depends on.

Both are compared at the grain both tools give: per pair and TCP port,

  TCP        every request allowed (NCA: a cube without methods / paths /
             hosts; tusk: allowed)
  L7TCP      some requests allowed, which depends on the HTTP method, path
             or Host (NCA: a cube with methods / paths / hosts; tusk:
             unknown, with the L7 column naming the rules)
  UNKNOWN-*  tusk unknown for another reason (its `unknown` without L7
             rules): never agrees with NCA, which always decides

and UDP / SCTP as in the Kubernetes comparison. The exact requests inside an
L7TCP cell are then probed with `tusk explain --http-method/--http-path`
(nca_compare.py, `l7_probes`). Lines come out in tusk's connlist notation
(`SRC => DST : TCP 80,L7TCP 8080,UDP 1-65535`), which compare_connectivity
reads for both sides (ports of a protocol name it does not know are kept).
"""
import json
import re

PORTS_ALL = [(1, 65535)]
CUBE = re.compile(r"\{([^}]*)\}")
KEYS = ("protocols", "src_ports", "dst_ports", "methods", "paths", "hosts", "icmp_type", "icmp_code")


def _ports(text):
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.append((int(lo), int(hi or lo)))
    return out


def parse_cube(body):
    """`dst_ports:80,8080,methods:all but GET, PUT,paths:/a*` into
    {key: text}: the value of a key runs to the next `,key:`."""
    at = sorted((m.start(), m.group(1)) for m in re.finditer(r"(?:^|,)\s*(" + "|".join(KEYS) + r"):", body))
    out = {}
    for i, (pos, key) in enumerate(at):
        start = body.index(":", pos) + 1
        end = at[i + 1][0] if i + 1 < len(at) else len(body)
        out[key] = body[start:end].strip()
    if not at and body.strip():
        raise ValueError(f"cannot read NCA cube {{{body}}}")
    return out


def split_sections(text):
    """NCA's report as [(section, line)] with section 'tcp', 'non-tcp' or
    None (a report without the Istio sections)."""
    section = None
    for line in text.splitlines():
        s = line.strip()
        if s == "TCP Connections:":
            section = "tcp"
        elif s == "non-TCP Connections:":
            section = "non-tcp"
        elif " => " in s:
            yield section, s


def nca_conns(section, conns):
    """One NCA line's connections as {protocol: [intervals]} in the
    three-valued vocabulary (TCP / L7TCP / UDP / SCTP)."""
    conns = conns.strip()
    out = {}
    if section == "tcp":
        if conns.lower() == "all connections":
            return {"TCP": list(PORTS_ALL)}
        for body in CUBE.findall(conns):
            cube = parse_cube(body)
            ports = _ports(cube["dst_ports"]) if "dst_ports" in cube else list(PORTS_ALL)
            # `all but ` with nothing after it excludes no request (NCA
            # prints it for `paths: ["*"]` together with `rules: [{}]`):
            # the dimension is not restricted.
            l7 = any(k in cube and cube[k].strip() != "all but" for k in ("methods", "paths", "hosts"))
            out.setdefault("L7TCP" if l7 else "TCP", []).extend(ports)
        if not out and conns:
            raise ValueError(f"cannot read NCA TCP connection {conns!r}")
        return out
    if section is None and re.search(r"\b(methods|paths|hosts):", conns):
        # No Istio sections (no Istio policy), but L7 cubes: an Ingress's
        # host / path routes, over TCP.
        for body in CUBE.findall(conns):
            cube = parse_cube(body)
            ports = _ports(cube["dst_ports"]) if "dst_ports" in cube else list(PORTS_ALL)
            l7 = any(k in cube and cube[k].strip() != "all but" for k in ("methods", "paths", "hosts"))
            for proto in [p.strip().upper() for p in cube.get("protocols", "TCP").split(",") if p.strip()]:
                name = "L7TCP" if l7 and proto == "TCP" else proto
                out.setdefault(name, []).extend(ports)
        return out
    # non-TCP section, or a report without sections: the Kubernetes reading
    # (compare_connectivity.parse_conns), minus TCP in the non-TCP section.
    from compare_connectivity import parse_conns

    parsed = parse_conns(conns)
    if section == "non-tcp":
        parsed.pop("TCP", None)
    return parsed


def nca_lines(text):
    """NCA's report as connlist lines; returns (lines, peers left out).
    DNS-name peers (ServiceEntry hosts such as `*.newrelic.com`) are left
    out: tusk has no such endpoint to compare."""
    acc, dropped = {}, set()
    for section, line in split_sections(text):
        src, rest = line.split(" => ", 1)
        dst, conns = rest.rsplit(" : ", 1)
        if any(_dns_name(p) for p in (src, dst)):
            dropped.add(src if _dns_name(src) else dst)
            continue
        for proto, iv in nca_conns(section, conns).items():
            acc.setdefault((src.strip(), dst.strip()), {}).setdefault(proto, []).extend(iv)
    return _render(acc), sorted(dropped)


def _dns_name(peer):
    peer = peer.strip()
    return "/" not in peer and not peer[:1].isdigit() and peer[:1] not in ("*",) and "." in peer or peer.startswith("*.")


def _peer(e):
    if e.get("type") == "workload":
        return f"{e['namespace']}/{e['name']}[{e['kind']}]"
    if e.get("type") == "pod":
        return f"{e['namespace']}/{e['name']}[Pod]"
    if e.get("type") == "external":
        return e["range"]
    return None


def tusk_lines(doc):
    """tusk's JSON matrix as connlist lines with TCP / L7TCP / UNKNOWN-*;
    returns (lines, {(src, dst): l7 notes}, peers left out)."""
    acc, notes, skipped = {}, {}, set()
    for row in doc.get("rows", []):
        src, dst = _peer(row["src"]), _peer(row["dst"])
        if src is None or dst is None:
            skipped.add(json.dumps(row["src"] if src is None else row["dst"], sort_keys=True))
            continue
        conns = {}
        for proto in ("tcp", "udp", "sctp"):
            if row["allowed"].get(proto):
                conns.setdefault(proto.upper(), []).extend(tuple(x) for x in row["allowed"][proto])
        l7 = row.get("l7") or []
        for proto in ("tcp", "udp", "sctp"):
            unk = row["unknown"].get(proto) or []
            if unk:
                name = "L7TCP" if proto == "tcp" and l7 else f"UNKNOWN-{proto.upper()}"
                conns.setdefault(name, []).extend(tuple(x) for x in unk)
        if l7:
            notes[(src, dst)] = l7
        if conns:
            a = acc.setdefault((src, dst), {})
            for p, iv in conns.items():
                a.setdefault(p, []).extend(iv)
    return _render(acc), notes, sorted(skipped)


def _render(acc):
    lines = []
    for (src, dst), conns in sorted(acc.items()):
        parts = []
        for proto in sorted(conns):
            iv = sorted(set(conns[proto]))
            parts.append(proto + " " + ",".join(f"{lo}-{hi}" for lo, hi in iv))
        if parts:
            lines.append(f"{src} => {dst} : {','.join(parts)}")
    return "\n".join(lines) + "\n"


def self_test():
    rep = """TCP Connections:
a/x[Deployment] => a/y[Deployment] : {dst_ports:80,methods:GET}
a/x[Deployment] => a/y[Deployment] : {dst_ports:90}
a/x[Deployment] => a/y[Deployment] : {dst_ports:91,paths:all but }
a/y[Deployment] => a/x[Deployment] : All connections
a/y[Deployment] => *.newrelic.com : All connections
non-TCP Connections:
a/x[Deployment] => a/y[Deployment] : All connections
"""
    lines, dropped = nca_lines(rep)
    assert "a/x[Deployment] => a/y[Deployment] : L7TCP 80-80,SCTP 1-65535,TCP 90-90,91-91,UDP 1-65535" in lines, lines
    assert "a/y[Deployment] => a/x[Deployment] : TCP 1-65535" in lines, lines
    assert dropped == ["*.newrelic.com"], dropped
    cube = parse_cube("dst_ports:1-79,81-65535,methods:all but PUT,hosts:a.com,paths:all but /a, /b")
    assert cube["methods"] == "all but PUT" and cube["paths"] == "all but /a, /b", cube
    assert _ports(cube["dst_ports"]) == [(1, 79), (81, 65535)]
    print("nca_istio self-test passed")


if __name__ == "__main__":
    import sys, os

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    self_test()
