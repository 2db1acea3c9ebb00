#!/usr/bin/env python3
"""Compare two connectivity reports: tusk's connlist and NCA's txt_no_fw_rules.

Both tools print one line per allowed connection, `SRC => DST : CONNS`, but
spell the parts differently:

  tusk (and netpol-analyzer):  ns1/web[Deployment] => 10.0.0.0-10.0.255.255[External] : TCP 80,8080-8090,UDP 53
  NCA (-o txt_no_fw_rules):    ns1/web[Deployment] => 10.0.0.0-10.0.255.255 : {protocols:TCP,dst_ports:80,8080-8090}
                               (one line per protocol group, the pair repeated)

Normalisation, applied to both sides alike:
  * a workload peer is `namespace/name[Kind]`, compared as text;
  * CONNS becomes {protocol: set of port intervals}, merged over every line of
    the same pair; "All connections" (any case) means TCP, UDP and SCTP on
    ports 1-65535, and a protocol with no ports means all its ports, so
    `All connections` and `TCP 1-65535,UDP 1-65535,SCTP 1-65535` are equal;
  * workload-to-workload pairs are compared as a set of
    (src, dst, protocol, port-interval-set);
  * IP peers (`A-B`, `A-B[External]`, CIDRs, single addresses; IPv4 only,
    NCA hides IPv6 unless asked) are compared per workload and direction as
    a function from address to CONNS: ranges are cut at every boundary of
    either side and adjacent pieces with equal CONNS are re-joined, so two
    tools that split the address space differently still compare equal.
    `--ignore-external` leaves them out;
  * self-pairs (a workload to itself) are dropped on both sides.

Exit status: 0 when the reports agree, 1 when they differ (the first
differences are printed), 2 on unreadable input. Python standard library only.
"""

import argparse
import ipaddress
import re
import sys

PROTOCOLS = ("SCTP", "TCP", "UDP")
FULL = ((1, 65535),)
LINE = re.compile(r"^(?P<src>.+?) => (?P<dst>.+?) : (?P<conns>.+)$")
NCA_CUBE = re.compile(r"\{([^}]*)\}")


class BadInput(Exception):
    pass


def merge_intervals(intervals):
    """Sorted, merged tuple of inclusive (lo, hi) integer intervals."""
    out = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def parse_ports(text):
    ports = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        ports.append((int(lo), int(hi or lo)))
    return ports


def subtract_intervals(keep, cut):
    """`keep` minus `cut`, both lists of inclusive (lo, hi) intervals."""
    out = []
    for lo, hi in merge_intervals(keep):
        for clo, chi in merge_intervals(cut):
            if chi < lo or clo > hi:
                continue
            if clo > lo:
                out.append((lo, clo - 1))
            lo = chi + 1
            if lo > hi:
                break
        if lo <= hi:
            out.append((lo, hi))
    return out


def canonical_conns(per_proto):
    """Frozen {protocol: intervals}; empty protocols dropped."""
    return frozenset((p, merge_intervals(iv)) for p, iv in per_proto.items() if iv)


ALL = canonical_conns({p: list(FULL) for p in PROTOCOLS})


def parse_conns(text):
    """CONNS of either tool into {protocol: [intervals]}."""
    text = text.strip()
    out = {}
    if text.lower() in ("all connections", "all"):
        return {p: list(FULL) for p in PROTOCOLS}
    if text.lower() in ("no connections", "none"):
        return {}
    if text.lower().startswith("all but "):
        # NCA's complement: every connection except the cubes that follow.
        out = {p: list(FULL) for p in PROTOCOLS}
        for p, cut in parse_conns(text[len("all but "):]).items():
            if p in out:
                out[p] = subtract_intervals(out[p], cut)
        return out
    cubes = NCA_CUBE.findall(text)
    if cubes:
        for cube in cubes:
            protos, ports = [], None
            # `protocols:TCP, UDP,dst_ports:53,80-90`: split on the key names.
            m = re.match(r"\s*protocols:(?P<p>.*?)(?:,\s*dst_ports:(?P<d>.*))?$", cube)
            if not m:
                raise BadInput(f"cannot read NCA connection {{{cube}}}")
            protos = [p.strip().upper() for p in m.group("p").split(",") if p.strip()]
            ports = parse_ports(m.group("d")) if m.group("d") else list(FULL)
            # tusk's connlist, like netpol-analyzer's, names TCP, UDP and
            # SCTP only: other protocols (ICMP, ...) are left out alike.
            for p in protos:
                if p in PROTOCOLS:
                    out.setdefault(p, []).extend(ports)
        return out
    # tusk / netpol-analyzer: `TCP 80,8080-8090,UDP 53`; a token that starts
    # with a letter opens a new protocol.
    proto = None
    for token in text.split(","):
        token = token.strip()
        if not token:
            continue
        if token[0].isalpha():
            name, _, ports = token.partition(" ")
            proto = name.upper()
            out.setdefault(proto, [])
            if ports.strip():
                out[proto].extend(parse_ports(ports))
            else:
                out[proto].extend(FULL)
        elif proto is None:
            raise BadInput(f"ports before any protocol in {text!r}")
        else:
            out[proto].extend(parse_ports(token))
    return out


def parse_ip_peer(text):
    """(lo, hi) integers of an IPv4 peer, None for IPv6, raises if not an IP."""
    text = text.strip()
    if text.endswith("[External]"):
        text = text[: -len("[External]")]
    ranges = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            lo, hi = ipaddress.ip_address(a), ipaddress.ip_address(b)
        elif "/" in part:
            net = ipaddress.ip_network(part, strict=False)
            lo, hi = net.network_address, net.broadcast_address
        else:
            lo = hi = ipaddress.ip_address(part)
        if lo.version == 6:
            continue
        ranges.append((int(lo), int(hi)))
    return ranges


def is_workload(peer):
    return peer.endswith("]") and not peer.endswith("[External]")


class Report:
    """One tool's connectivity, normalised."""

    def __init__(self):
        self.pairs = {}  # (src, dst) -> {proto: [intervals]}
        self.external = {}  # (workload, direction) -> [(lo, hi, {proto: [iv]})]
        self.lines = 0

    def add(self, src, dst, conns):
        self.lines += 1
        if is_workload(src) and is_workload(dst):
            if src == dst:
                return
            acc = self.pairs.setdefault((src, dst), {})
            for p, iv in conns.items():
                acc.setdefault(p, []).extend(iv)
        elif is_workload(src):
            for lo, hi in parse_ip_peer(dst):
                self.external.setdefault((src, "egress"), []).append((lo, hi, conns))
        elif is_workload(dst):
            for lo, hi in parse_ip_peer(src):
                self.external.setdefault((dst, "ingress"), []).append((lo, hi, conns))
        # IP to IP lines say nothing about the cluster; neither tool prints them.

    def workload_pairs(self):
        out = {}
        for key, conns in self.pairs.items():
            c = canonical_conns(conns)
            if c:
                out[key] = c
        return out

    def external_maps(self):
        return {key: piecewise(entries) for key, entries in self.external.items()}


def piecewise(entries):
    """Canonical address -> CONNS map: [(lo, hi, conns)] cut at every
    boundary, unioned where entries overlap, adjacent equal pieces joined."""
    cuts = sorted({lo for lo, _, _ in entries} | {hi + 1 for _, hi, _ in entries})
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        acc = {}
        for lo, hi, conns in entries:
            if lo <= a and b - 1 <= hi:
                for p, iv in conns.items():
                    acc.setdefault(p, []).extend(iv)
        c = canonical_conns(acc)
        if not c:
            continue
        if pieces and pieces[-1][1] == a - 1 and pieces[-1][2] == c:
            pieces[-1] = (pieces[-1][0], b - 1, c)
        else:
            pieces.append((a, b - 1, c))
    return tuple(pieces)


def read_report(path):
    report = Report()
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            m = LINE.match(line)
            if not m:
                continue  # headers, summaries, blank lines
            try:
                report.add(m["src"].strip(), m["dst"].strip(), parse_conns(m["conns"]))
            except (BadInput, ValueError) as e:
                raise BadInput(f"{path}:{n}: {e}: {line}") from e
    return report


def show_conns(c):
    if c is None:
        return "(none)"
    if c == ALL:
        return "All Connections"
    parts = []
    for p, iv in sorted(c):
        ports = ",".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in iv)
        parts.append(f"{p} {ports}" if iv != FULL else p)
    return ",".join(parts)


def show_ip(lo, hi):
    return f"{ipaddress.ip_address(lo)}-{ipaddress.ip_address(hi)}"


def diff_maps(a, b, show):
    diffs = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if va != vb:
            diffs.append(show(key, va, vb))
    return diffs


def compare(left, right, names, ignore_external, limit):
    a, b = left.workload_pairs(), right.workload_pairs()
    diffs = diff_maps(
        a,
        b,
        lambda k, va, vb: f"{k[0]} => {k[1]}\n    {names[0]}: {show_conns(va)}\n    {names[1]}: {show_conns(vb)}",
    )
    print(f"{names[0]}: {left.lines} lines, {len(a)} workload pairs, {len(left.external)} workload/IP maps")
    print(f"{names[1]}: {right.lines} lines, {len(b)} workload pairs, {len(right.external)} workload/IP maps")
    if not ignore_external:
        ea, eb = left.external_maps(), right.external_maps()
        ea = {k: v for k, v in ea.items() if v}
        eb = {k: v for k, v in eb.items() if v}

        def show_ext(k, va, vb):
            fmt = lambda v: "; ".join(f"{show_ip(lo, hi)}: {show_conns(c)}" for lo, hi, c in v) if v else "(none)"
            return f"{k[0]} {k[1]} to/from IPs\n    {names[0]}: {fmt(va)}\n    {names[1]}: {fmt(vb)}"

        diffs += diff_maps(ea, eb, show_ext)
    if diffs:
        print(f"DIFFER: {len(diffs)} differences; first {min(limit, len(diffs))}:")
        for d in diffs[:limit]:
            print("  " + d)
        return 1
    what = "workload pairs" + ("" if ignore_external else " and workload/IP connectivity")
    print(f"SAME: {len(a)} {what} agree")
    return 0


def self_test():
    tusk = Report()
    tusk.add("a/x[Deployment]", "b/y[Deployment]", parse_conns("TCP 80,8080-8090,UDP 53"))
    tusk.add("a/x[Deployment]", "0.0.0.0-9.255.255.255[External]", parse_conns("All Connections"))
    tusk.add("a/x[Deployment]", "10.0.0.0-255.255.255.255[External]", parse_conns("All Connections"))
    nca = Report()
    nca.add("a/x[Deployment]", "b/y[Deployment]", parse_conns("{protocols:TCP,dst_ports:80,8080-8085}"))
    nca.add("a/x[Deployment]", "b/y[Deployment]", parse_conns("{protocols:TCP, UDP,dst_ports:53,8086-8090}"))
    nca.add("a/x[Deployment]", "0.0.0.0-255.255.255.255", parse_conns("All connections"))
    nca.add("a/x[Deployment]", "a/x[Deployment]", parse_conns("All connections"))
    assert tusk.workload_pairs() != nca.workload_pairs(), "UDP 8086-8090 must make them differ"
    nca2 = Report()
    nca2.add("a/x[Deployment]", "b/y[Deployment]", parse_conns("{protocols:TCP,dst_ports:80,8080-8090}"))
    nca2.add("a/x[Deployment]", "b/y[Deployment]", parse_conns("{protocols:UDP,dst_ports:53}"))
    assert tusk.workload_pairs() == nca2.workload_pairs()
    assert tusk.external_maps() == nca.external_maps(), "differently split ranges must compare equal"
    assert canonical_conns(parse_conns("TCP,UDP 1-65535,SCTP")) == ALL
    assert canonical_conns(parse_conns("{protocols:UDP}")) == canonical_conns({"UDP": list(FULL)})
    all_but = parse_conns("All but {protocols:TCP,dst_ports:1-79,81-65535},{protocols:ICMP}")
    assert canonical_conns(all_but) == canonical_conns(parse_conns("TCP 80,UDP,SCTP")), all_but
    print("self-test passed")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("left", nargs="?", help="first report (e.g. tusk connlist)")
    ap.add_argument("right", nargs="?", help="second report (e.g. NCA txt_no_fw_rules)")
    ap.add_argument("--names", default="tusk,nca", help="labels for the two reports (default tusk,nca)")
    ap.add_argument("--ignore-external", action="store_true", help="compare workload pairs only")
    ap.add_argument("--limit", type=int, default=20, help="differences to print (default 20)")
    ap.add_argument("--self-test", action="store_true", help="check the normalisation and exit")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not (args.left and args.right):
        ap.error("two reports are needed")
    try:
        left, right = read_report(args.left), read_report(args.right)
    except (OSError, BadInput) as e:
        print(f"compare_connectivity: {e}", file=sys.stderr)
        return 2
    return compare(left, right, args.names.split(",", 1), args.ignore_external, args.limit)


if __name__ == "__main__":
    sys.exit(main())
