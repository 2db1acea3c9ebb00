//! `tusk diff`: what a change to the estate newly allows, denies or leaves
//! unknown, at a grain. The Kubernetes grains compare the two policy
//! matrices (`tusk_policy::Analysis::matrix`) keyed by stable names
//! (`ns/name[Kind]`, `ns[Namespace]`, address ranges), never indices, so
//! objects reordered between the versions compare equal. For each changed
//! row, one concrete pod pair whose verdict moved is explained in both
//! versions, and the rules that decided it on each side (file:line) are
//! the cause reported.

use std::collections::BTreeMap;
use tusk_core::ip::u128_to_ip;
use tusk_core::{ConnSet, Idx, Kind, Loc, Protocol};
use tusk_model::k8s::Cluster;
use tusk_policy::explain::{explain, Explanation, FlowEnd, Step};
use tusk_policy::matrix::{Endpoint, Grain};
use tusk_policy::{Analysis, Semantics};

/// How a row's verdict moved from the base version to the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Some connections were denied or unknown in the base and are allowed
    /// in the head.
    NewlyAllowed,
    /// Some connections were allowed or unknown in the base and are denied in
    /// the head.
    NewlyDenied,
    /// Some connections were decided in the base (allowed or denied) and are
    /// unknown in the head: an isolation or an opening that can no longer be
    /// shown is a change a reviewer must see.
    NewlyUnknown,
}

impl Change {
    /// The change in words (`newly allowed`, ...), for every output format.
    pub fn name(self) -> &'static str {
        match self {
            Change::NewlyAllowed => "newly allowed",
            Change::NewlyDenied => "newly denied",
            Change::NewlyUnknown => "newly unknown",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Change::NewlyAllowed => Kind::Allowed,
            Change::NewlyDenied => Kind::Denied,
            Change::NewlyUnknown => Kind::Unknown,
        }
    }
}

/// One row whose verdict changed on some connections.
#[derive(Debug, Clone)]
pub struct FlowChange {
    /// The source row (a workload, namespace or pod, at the grain asked).
    pub from: String,
    /// The destination row.
    pub to: String,
    /// Which way the verdict moved.
    pub change: Change,
    /// The connections (protocol and port ranges) whose verdict moved that way.
    pub conns: ConnSet,
    /// The pod pair and connection explained, when one was found.
    pub example: Option<Example>,
    /// What decided that flow in the head version, then in the base.
    pub head_cause: Vec<(Loc, Cause)>,
    /// What decided that flow in the base (policy rules, each located).
    pub base_cause: Vec<(Loc, Cause)>,
}

/// What decided a changed flow, as data (tusk-report words it).
#[derive(Debug, Clone)]
pub enum Cause {
    /// The verdict is unknown, and its doubt is at this location.
    Undecided,
    /// A decisive step of the policy layer (policy, rule, action).
    Step(Box<Step>),
    /// No policy selects the pods: the default allows.
    DefaultAllows,
}

/// The concrete flow explained for a changed row, as data (tusk-report
/// words it: `pod NS/NAME -> pod NS/NAME TCP 80`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The source.
    pub from: ExampleEnd,
    /// The destination.
    pub to: ExampleEnd,
    /// The protocol.
    pub proto: Protocol,
    /// The port, for a protocol with ports.
    pub port: Option<u16>,
}

/// One end of an [`Example`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleEnd {
    /// A pod (one replica of a template entry), by namespace and name.
    Pod {
        /// Its namespace.
        namespace: String,
        /// Its name (the replica's).
        name: String,
    },
    /// An address outside the cluster's pods.
    Address(std::net::IpAddr),
}

/// The two versions and how to read their policies.
pub struct Versions<'a> {
    /// The base version's cluster (pods, namespaces, policies).
    pub base: &'a Cluster,
    /// The head version's cluster.
    pub head: &'a Cluster,
    /// How policies are enforced in the base (which plugin, which kinds).
    pub base_semantics: Semantics,
    /// How policies are enforced in the head.
    pub head_semantics: Semantics,
}

type Rows = BTreeMap<(String, String), (ConnSet, ConnSet, Endpoint, Endpoint)>;

fn rows(c: &Cluster, sem: Semantics, grain: Grain) -> Rows {
    Analysis::new(c, sem)
        .matrix(grain)
        .into_iter()
        .map(|e| ((e.src.label(c), e.dst.label(c)), (e.allowed, e.unknown, e.src, e.dst)))
        .collect()
}

/// The flows whose verdict changed from `base` to `head`, at `grain`.
pub fn diff(v: &Versions, grain: Grain) -> Vec<FlowChange> {
    let (base, head) = (rows(v.base, v.base_semantics, grain), rows(v.head, v.head_semantics, grain));
    let none = ConnSet::none();
    let mut keys: Vec<&(String, String)> = base.keys().chain(head.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let (ba, bu) = base.get(k).map(|r| (&r.0, &r.1)).unwrap_or((&none, &none));
        let (ha, hu) = head.get(k).map(|r| (&r.0, &r.1)).unwrap_or((&none, &none));
        let changes = [
            (Change::NewlyAllowed, ha.subtract(ba)),
            (Change::NewlyDenied, ba.union(bu).subtract(ha).subtract(hu)),
            (Change::NewlyUnknown, hu.subtract(bu)),
        ];
        for (change, conns) in changes {
            if conns.is_empty() {
                continue;
            }
            let ends = head.get(k).map(|r| (v.head, r.2, r.3)).or_else(|| base.get(k).map(|r| (v.base, r.2, r.3)));
            let mut fc = FlowChange {
                from: k.0.clone(),
                to: k.1.clone(),
                change,
                conns,
                example: None,
                head_cause: Vec::new(),
                base_cause: Vec::new(),
            };
            if let Some((c, s, d)) = ends {
                cause(v, &mut fc, (c, s, d));
            }
            out.push(fc);
        }
    }
    out
}

/// The pods (or the address) a matrix endpoint stands for.
fn members(c: &Cluster, e: Endpoint) -> Vec<FlowEnd> {
    match e {
        // Replicas of one template entry are alike: the entry stands for each.
        Endpoint::Pod(i, _) => vec![FlowEnd::Pod(i)],
        Endpoint::Workload(w) => Idx::all(&c.pods).filter(|&p| c.pods[p].workload == w).map(FlowEnd::Pod).collect(),
        Endpoint::Namespace(n) => {
            let ns = &c.namespaces[n].name;
            Idx::all(&c.pods).filter(|&p| &c.pods[p].namespace == ns).map(FlowEnd::Pod).collect()
        }
        Endpoint::External(r) => vec![FlowEnd::Address(u128_to_ip(r.lo))],
        // Service rows are not in the matrices diffed (`Analysis::matrix`).
        Endpoint::Service(_) => Vec::new(),
    }
}

/// The same pod (by namespace and name) or address in the other version.
fn counterpart(from: &Cluster, to: &Cluster, e: FlowEnd) -> Option<FlowEnd> {
    match e {
        FlowEnd::Pod(i) => {
            let p = &from.pods[i];
            Idx::enumerate(&to.pods)
                .find(|(_, q)| q.namespace == p.namespace && q.name == p.name)
                .map(|(j, _)| FlowEnd::Pod(j))
        }
        a => Some(a),
    }
}

/// One connection of the set: the first port of the first ported
/// protocol, else a protocol without ports.
fn one(conns: &ConnSet) -> Option<(Protocol, u16)> {
    for p in Protocol::PORTED {
        if let Some(r) = conns.ports(p).and_then(|s| s.ranges().first()) {
            return Some((p, r.0));
        }
    }
    conns.portless().next().map(|p| (p, 0))
}

fn decided(e: &Explanation) -> Vec<(Loc, Cause)> {
    let mut out = Vec::new();
    if let Some(u) = e.verdict.why() {
        if let Some(l) = &u.loc {
            out.push((l.clone(), Cause::Undecided));
        }
    }
    for s in e.egress.steps.iter().chain(&e.ingress.steps) {
        if let (true, Some(l)) = (s.decisive, &s.loc) {
            out.push((l.clone(), Cause::Step(Box::new(s.clone()))));
        }
    }
    if out.is_empty() {
        out.push((Loc::builtin("default"), Cause::DefaultAllows));
    }
    out
}

fn cause(v: &Versions, fc: &mut FlowChange, (c, s, d): (&Cluster, Endpoint, Endpoint)) {
    let Some((proto, port)) = one(&fc.conns) else { return };
    let head_side = std::ptr::eq(c, v.head);
    const MAX: usize = 32;
    for a in members(c, s).into_iter().take(MAX) {
        for b in members(c, d).into_iter().take(MAX) {
            // A pod to itself is no flow; an entry standing for several
            // replicas to itself is one replica to another.
            let same = matches!((a, b), (FlowEnd::Pod(x), FlowEnd::Pod(y)) if x == y);
            if matches!(a, FlowEnd::Pod(x) if same && c.pods[x].count() < 2) {
                continue;
            }
            let (ha, hb) =
                if head_side { (Some(a), Some(b)) } else { (counterpart(c, v.head, a), counterpart(c, v.head, b)) };
            let (ba, bb) =
                if head_side { (counterpart(c, v.base, a), counterpart(c, v.base, b)) } else { (Some(a), Some(b)) };
            let h = ha.zip(hb).map(|(x, y)| explain(v.head, &v.head_semantics, x, y, proto, port));
            if h.as_ref().is_some_and(|e| e.verdict.kind() != fc.change.kind()) {
                continue;
            }
            let b_ex = ba.zip(bb).map(|(x, y)| explain(v.base, &v.base_semantics, x, y, proto, port));
            let end = |cl: &Cluster, e: FlowEnd, r: u32| match e {
                FlowEnd::Pod(i) => ExampleEnd::Pod {
                    namespace: cl.pods[i].namespace.clone(),
                    name: cl.pods[i].replica_name(r).into_owned(),
                },
                FlowEnd::Address(ip) => ExampleEnd::Address(ip),
            };
            let port = proto.has_ports().then_some(port);
            fc.example = Some(Example { from: end(c, a, 0), to: end(c, b, u32::from(same)), proto, port });
            fc.head_cause = h.as_ref().map(decided).unwrap_or_default();
            fc.base_cause = b_ex.as_ref().map(decided).unwrap_or_default();
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(text: &str) -> Cluster {
        crate::audit::load(&[("m.yaml", text)]).k8s
    }

    const A: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c, image: c}]}\nstatus: {podIP: 10.244.0.1}\n";
    const B: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: y, labels: {app: b}}\nspec: {containers: [{name: c, image: c}]}\nstatus: {podIP: 10.244.0.2}\n";
    const DENY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: d, namespace: y}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n";

    #[test]
    fn reordered_objects_change_nothing_and_a_removed_deny_is_newly_allowed() {
        let base = cluster(&format!("{A}---\n{B}---\n{DENY}"));
        let reordered = cluster(&format!("{DENY}---\n{B}---\n{A}"));
        let sem = Semantics::of(tusk_policy::PolicyEngine::Upstream);
        let v = Versions { base: &base, head: &reordered, base_semantics: sem, head_semantics: sem };
        assert!(diff(&v, Grain::Workload).is_empty());
        let open = cluster(&format!("{A}---\n{B}"));
        let v = Versions { base: &base, head: &open, base_semantics: sem, head_semantics: sem };
        let d = diff(&v, Grain::Workload);
        let into_b: Vec<&FlowChange> = d.iter().filter(|c| c.to.starts_with("y/b")).collect();
        assert!(!into_b.is_empty() && into_b.iter().all(|c| c.change == Change::NewlyAllowed), "{d:?}");
        // The base side names the deny policy that no longer exists.
        assert!(into_b.iter().any(|c| c.base_cause.iter().any(|(l, _)| l.pos.line == 13)), "{into_b:?}");
        // The pod pair explained, as data: x/a to y/b on one of the moved connections.
        let from_a = into_b.iter().find(|c| c.from.starts_with("x/a")).expect("x/a -> y/b changed");
        let e = from_a.example.as_ref().expect("an example");
        let pod = |ns: &str, name: &str| ExampleEnd::Pod { namespace: ns.into(), name: name.into() };
        assert_eq!((&e.from, &e.to), (&pod("x", "a"), &pod("y", "b")), "{e:?}");
        assert!(from_a.conns.allows(e.proto, e.port.unwrap_or(0)), "{e:?} in {}", from_a.conns);
    }
}
