//! Checks one intent of `tusk.yaml` (docs/tusk-yaml.md, `intents`) against
//! the estate. The layer is chosen from the ends (`pod:`, `workload:`,
//! `svc:` are Kubernetes; Azure names and `subnet:` are Azure; addresses
//! alone are Azure when the inputs hold subnets) unless `layer:` says.
//! When the inputs hold the AKS cluster, an intent with a Kubernetes end,
//! a `tenant:` or `node:` end, an `actor`, or ends in both layers, and
//! every `isolatedTenants`, is checked across both layers through
//! tusk-path's join ([`crate::joined`]); without the cluster those are bad
//! input naming what is missing, never a guess.
//!
//! Each member pair and each port asked is one question to the engine:
//! `tusk_network::trace` (the full Azure path and reply) or
//! `tusk_policy::explain` (every policy rule at both ends). Over the pairs,
//! a violation is a certain counterexample (one flow the intent forbids
//! or requires and the engine decides the other way), and wins over
//! unknown pairs; otherwise any unknown pair makes the intent unknown; an
//! intent with no pair to ask about claims nothing and is unknown too.

pub use crate::errors::CheckError;
use crate::errors::{EndFailure, EndSide};
use tusk_core::{FlowEnd as End, Kind, PortSet, Protocol};
use tusk_model::azure::{AzureFirewall, Idx, NetworkInterface};
use tusk_model::config::{Intent, IntentKind, IntentLayer};
use tusk_model::k8s::Cluster;
use tusk_model::Estate;
use tusk_network::trace::{trace, Trace};
use tusk_network::{Flow, Hop, Owner, Prepared};
use tusk_path::join::{Path, Wiring};
use tusk_policy::explain::{explain, Explanation, FlowEnd as PolicyEnd};
use tusk_policy::{Analysis, Semantics};

/// More ports than this in one intent's `ports` are not enumerated: the
/// intent is unknown with that reason rather than checked on a sample.
pub const MAX_PORTS: u32 = 256;

/// What the intents are checked against.
pub struct Engines<'a> {
    /// The Azure engine; `None` when the inputs hold no subnet.
    pub azure: Option<&'a Prepared<'a>>,
    /// The Kubernetes objects of the inputs, for the policy engine.
    pub cluster: &'a Cluster,
    /// How the policy engine reads the policies (the cluster's
    /// `networkPolicy`, or `--policy-engine`).
    pub semantics: Semantics,
    /// The AKS join; `None` when the inputs hold no managed cluster or no
    /// subnet: intents across the layers are then bad input.
    pub aks: Option<Aks<'a>>,
}

/// The AKS cluster wired into the Azure network (tusk-path's join), for
/// intents across both layers.
#[derive(Clone, Copy)]
pub struct Aks<'a> {
    /// The whole estate (pods, pools, network).
    pub estate: &'a Estate,
    /// The nodes, pod addresses and scheduling (`tusk_path::join::Wiring::new`).
    pub wiring: &'a Wiring,
    /// The Azure engine over the wired network (`wiring.net`: the estate's
    /// network plus a NIC per node and the kubenet routes).
    pub prepared: &'a Prepared<'a>,
    /// The namespace label whose values name tenants (`--tenant-label`,
    /// as `tusk matrix --grain tenant`).
    pub tenant_label: &'a str,
}

/// An intent's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every flow asked is as the intent wants.
    Holds,
    /// At least one flow, shown as the counterexample, is not.
    Violated,
    /// No flow violates it for certain, but some the engines cannot decide
    /// (or there was nothing to ask): not a pass.
    Unknown,
}

impl Status {
    /// `holds`, `violated` or `unknown` (the JSON and SARIF word).
    pub fn name(self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::Violated => "violated",
            Status::Unknown => "unknown",
        }
    }
}

/// The one flow that shows a violation (or, for an unknown intent, the
/// first flow the engine could not decide), with the engine's full answer.
#[derive(Debug, Clone)]
pub enum Witness {
    /// The Azure trace, forward path and reply.
    Azure(Box<Trace>),
    /// The policy engine's explanation of `flow`.
    Kubernetes {
        /// The flow explained: its ends' labels, protocol and port.
        flow: LabelledFlow,
        /// Every policy that selected either end, and what it decided.
        explanation: Box<Explanation>,
    },
    /// One pair's path across both layers, with the question it answers.
    Joined(Box<JoinedWitness>),
}

/// A flow between two resolved ends, named by their labels (the ends'
/// `label`s of `tusk_policy::endpoint`, e.g. `shop/web (10.1.0.4)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledFlow {
    /// The source's label.
    pub from: String,
    /// The destination's label.
    pub to: String,
    /// The protocol.
    pub proto: Protocol,
    /// The port, for a protocol with ports.
    pub port: Option<u16>,
}

/// One pair of a question asked across both layers: the path (every
/// segment with the rule that decided it) and the group it came from.
#[derive(Debug, Clone)]
pub struct JoinedWitness {
    /// The question's ends as written (`tenant:t1`, `workload:ns/web`).
    pub from: String,
    /// See `from`.
    pub to: String,
    /// Who sent the flow.
    pub actor: tusk_path::join::Actor,
    /// Ends answered with samples (the Internet, free subnet addresses).
    pub samples: Vec<(String, tusk_network::endpoint::Sample)>,
    /// Interchangeable replicas another replica stands for.
    pub collapsed: usize,
    /// The pair's path, segment by segment.
    pub path: Path,
}

/// The answer for one intent.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The intent as read from `tusk.yaml`.
    pub intent: Intent,
    /// The layer it was judged on (Azure, Kubernetes or both joined).
    pub layer: IntentLayer,
    /// Holds, violated or unknown.
    pub status: Status,
    /// Why it holds, what violates it, or why unknown (tusk-report words
    /// it in one sentence).
    pub summary: Summary,
    /// Flows asked (member pairs × ports).
    pub flows: usize,
    /// Flows that violate it.
    pub violating: usize,
    /// Flows the engines left unknown.
    pub unknown: usize,
    /// The flow that shows the violation (or the first unknown one).
    pub witness: Option<Witness>,
    /// Ends that stand for more addresses than were evaluated.
    pub samples: Vec<String>,
}

/// Why an intent holds, is violated or is unknown, as counts and reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Summary {
    /// `bad` of `flows` flows do what the intent (of this kind) forbids.
    Violated {
        /// The intent's kind (what a bad flow did: allowed, denied, ...).
        kind: IntentKind,
        /// Flows that violate it.
        bad: usize,
        /// Flows asked.
        flows: usize,
    },
    /// A question was not asked (the first, and how many more).
    NotChecked {
        /// Why the first question was not asked.
        first: Skip,
        /// How many other questions were not asked.
        more: usize,
    },
    /// The ends have no distinct member pair: nothing to ask.
    NoPair,
    /// `undecided` of `flows` flows were left unknown by the engines.
    Undecided {
        /// Flows left unknown.
        undecided: usize,
        /// Flows asked.
        flows: usize,
    },
    /// Every one of `flows` flows as intended.
    Holds {
        /// Flows asked.
        flows: usize,
    },
    /// `ports` names more than [`MAX_PORTS`] ports, which are not enumerated.
    TooManyPorts,
    /// Across both layers tusk asks one port at a time, and the intent
    /// gives no `ports` on a protocol with ports.
    OnePortAtATime,
}

/// Why a question of an intent was not asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// `from` → `to` stands for `pairs` member pairs, more than the join
    /// traces one by one (`tusk_path::join::MAX_PAIRS`).
    TooManyPairs {
        /// The source end's name.
        from: String,
        /// The destination end's name.
        to: String,
        /// How many member pairs.
        pairs: usize,
    },
}

/// One flow's answer, as the intent sees it.
pub(crate) enum Seen {
    /// The intent is satisfied by this flow.
    Fine,
    Bad,
    Undecided,
}

/// Checks `intent`; `Err` is bad input (an end that names nothing, a device
/// in `through` that is none, ends in two layers).
pub fn check(e: &Engines, intent: &Intent) -> Result<Outcome, CheckError> {
    let layer = layer_of(e, intent)?;
    let ports: Vec<Option<u16>> = match &intent.ports {
        None => vec![None],
        Some(set) => match enumerate(set) {
            Some(v) => v.into_iter().map(Some).collect(),
            None => return Ok(outcome(intent, layer, Status::Unknown, Summary::TooManyPorts)),
        },
    };
    match (layer, e.aks) {
        (IntentLayer::Azure, _) => azure(e, intent, &ports),
        (IntentLayer::Kubernetes, _) => kubernetes(e, intent, &ports),
        (IntentLayer::Aks, Some(a)) => crate::joined::check(e, &a, intent, &ports),
        (IntentLayer::Aks, None) => Err(CheckError::NoCluster),
    }
}

pub(crate) fn outcome(intent: &Intent, layer: IntentLayer, status: Status, summary: Summary) -> Outcome {
    Outcome {
        intent: intent.clone(),
        layer,
        status,
        summary,
        flows: 0,
        violating: 0,
        unknown: 0,
        witness: None,
        samples: Vec::new(),
    }
}

fn enumerate(set: &PortSet) -> Option<Vec<u16>> {
    let n: u32 = set.ranges().iter().map(|(lo, hi)| u32::from(*hi) - u32::from(*lo) + 1).sum();
    (n <= MAX_PORTS).then(|| set.ranges().iter().flat_map(|(lo, hi)| *lo..=*hi).collect())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Azure,
    Kubernetes,
    Either,
}

fn side(end: &End) -> Side {
    match end {
        End::Pod { .. } | End::Workload { .. } | End::Service { .. } => Side::Kubernetes,
        End::Subnet { .. } | End::Name(_) | End::OnPrem(None) => Side::Azure,
        _ => Side::Either,
    }
}

fn layer_of(e: &Engines, i: &Intent) -> Result<IntentLayer, CheckError> {
    let passes = matches!(i.kind, IntentKind::MustPassThrough | IntentKind::EgressOnlyVia);
    let joined_end = |x: &End| matches!(x, End::Node(_) | End::Tenant(_));
    let only_joined =
        i.kind == IntentKind::IsolatedTenants || i.actor.is_some() || joined_end(&i.from) || joined_end(&i.to);
    let chosen = match (side(&i.from), side(&i.to)) {
        _ if only_joined => IntentLayer::Aks,
        (Side::Azure, Side::Kubernetes) | (Side::Kubernetes, Side::Azure) => {
            if e.aks.is_none() {
                return Err(CheckError::LayersWithoutCluster { from: i.from.to_string(), to: i.to.to_string() });
            }
            IntentLayer::Aks
        }
        (Side::Azure, _) | (_, Side::Azure) => IntentLayer::Azure,
        // With the cluster in the inputs, a pod's flow is the whole path.
        (Side::Kubernetes, _) | (_, Side::Kubernetes) if e.aks.is_some() => IntentLayer::Aks,
        (Side::Kubernetes, _) | (_, Side::Kubernetes) => IntentLayer::Kubernetes,
        _ if passes || e.azure.is_some() => IntentLayer::Azure,
        _ => IntentLayer::Kubernetes,
    };
    let layer = i.layer.unwrap_or(chosen);
    if only_joined && layer != IntentLayer::Aks {
        return Err(CheckError::JoinedOnly { from: i.from.to_string(), to: i.to.to_string() });
    }
    if layer == IntentLayer::Aks && e.aks.is_none() {
        return Err(CheckError::NoCluster);
    }
    if passes && layer == IntentLayer::Kubernetes {
        return Err(CheckError::DevicesOnKubernetesEnds {
            kind: i.kind,
            from: i.from.to_string(),
            to: i.to.to_string(),
        });
    }
    if layer == IntentLayer::Azure && e.azure.is_none() {
        return Err(CheckError::NoNetwork);
    }
    Ok(layer)
}

/// Judges the flows in order; returns the outcome with the first bad (else
/// first undecided) flow's witness.
pub(crate) struct Tally {
    flows: usize,
    bad: usize,
    undecided: usize,
    bad_witness: Option<Witness>,
    undecided_witness: Option<Witness>,
    /// Questions not asked, and why: each makes the intent unknown unless
    /// another flow violates it.
    skipped: Vec<Skip>,
}

impl Tally {
    pub(crate) fn new() -> Tally {
        Tally { flows: 0, bad: 0, undecided: 0, bad_witness: None, undecided_witness: None, skipped: Vec::new() }
    }

    /// A question that was not asked (too many pairs): the intent cannot
    /// hold on its strength.
    pub(crate) fn skip(&mut self, why: Skip) {
        self.skipped.push(why);
    }

    pub(crate) fn add(&mut self, seen: Seen, witness: impl FnOnce() -> Witness) {
        self.flows += 1;
        match seen {
            Seen::Fine => {}
            Seen::Bad => {
                self.bad += 1;
                if self.bad_witness.is_none() {
                    self.bad_witness = Some(witness());
                }
            }
            Seen::Undecided => {
                self.undecided += 1;
                if self.undecided_witness.is_none() {
                    self.undecided_witness = Some(witness());
                }
            }
        }
    }

    pub(crate) fn finish(self, intent: &Intent, layer: IntentLayer, samples: Vec<String>) -> Outcome {
        let flows = self.flows;
        let (status, summary, witness) = if self.bad > 0 {
            (Status::Violated, Summary::Violated { kind: intent.kind, bad: self.bad, flows }, self.bad_witness)
        } else if let Some(first) = self.skipped.first() {
            let more = self.skipped.len() - 1;
            (Status::Unknown, Summary::NotChecked { first: first.clone(), more }, self.undecided_witness)
        } else if flows == 0 {
            (Status::Unknown, Summary::NoPair, None)
        } else if self.undecided > 0 {
            (Status::Unknown, Summary::Undecided { undecided: self.undecided, flows }, self.undecided_witness)
        } else {
            (Status::Holds, Summary::Holds { flows }, None)
        };
        Outcome {
            intent: intent.clone(),
            layer,
            status,
            summary,
            flows: self.flows,
            violating: self.bad,
            unknown: self.undecided,
            witness,
            samples,
        }
    }
}

/// What the intent wants of one flow whose verdict is `k`.
pub(crate) fn reach_seen(kind: IntentKind, k: Kind) -> Seen {
    match (kind, k) {
        (_, Kind::Unknown) => Seen::Undecided,
        (IntentKind::MustReach, Kind::Allowed)
        | (IntentKind::MustNotReach | IntentKind::IsolatedTenants, Kind::Denied) => Seen::Fine,
        _ => Seen::Bad,
    }
}

/// The devices of `through`: Azure Firewalls and NICs (NVAs), by name.
pub(crate) struct Devices {
    firewalls: Vec<Idx<AzureFirewall>>,
    nics: Vec<Idx<NetworkInterface>>,
}

pub(crate) fn devices(p: &Prepared, names: &[String]) -> Result<Devices, CheckError> {
    let net = p.net;
    let mut d = Devices { firewalls: Vec::new(), nics: Vec::new() };
    for n in names {
        let fw: Vec<Idx<AzureFirewall>> =
            Idx::all(&net.firewalls).filter(|&i| net.firewalls[i].id.name().eq_ignore_ascii_case(n)).collect();
        let nic: Vec<Idx<NetworkInterface>> =
            Idx::all(&net.nics).filter(|&i| net.nics[i].id.name().eq_ignore_ascii_case(n)).collect();
        if fw.is_empty() && nic.is_empty() {
            return Err(CheckError::NotADevice(n.clone()));
        }
        d.firewalls.extend(fw);
        d.nics.extend(nic);
    }
    Ok(d)
}

/// Does the forward path of `t` cross one of the devices?
pub(crate) fn crosses(t: &Trace, d: &Devices) -> bool {
    let path = &t.forward;
    path.devices.iter().any(|f| d.firewalls.contains(f))
        || path.nvas.iter().any(|n| d.nics.contains(n))
        || path.steps.iter().any(|s| match s.at {
            Hop::Device(Owner::Firewall(f)) => d.firewalls.contains(&f),
            Hop::Device(Owner::Nic(n, _)) => d.nics.contains(&n),
            _ => false,
        })
}

fn azure(e: &Engines, intent: &Intent, ports: &[Option<u16>]) -> Result<Outcome, CheckError> {
    // layer_of chose the Azure layer only with a network in the inputs.
    let p = e.azure.ok_or(CheckError::NoNetwork)?;
    let resolve = |end: &End, side: EndSide| {
        tusk_network::endpoint::resolve_group(p, end).map_err(|m| CheckError::at(side)(EndFailure::Azure(m)))
    };
    let (from, to) = (resolve(&intent.from, EndSide::From)?, resolve(&intent.to, EndSide::To)?);
    let through = match intent.kind {
        IntentKind::MustPassThrough | IntentKind::EgressOnlyVia => Some(devices(p, &intent.through)?),
        _ => None,
    };
    let mut tally = Tally::new();
    for &port in ports {
        for a in &from.members {
            for b in &to.members {
                if a.ip() == b.ip() {
                    continue;
                }
                let t = trace(p, a, b, Flow { src: a.ip(), dst: b.ip(), proto: intent.protocol, port });
                let seen = match &through {
                    None => reach_seen(intent.kind, t.verdict),
                    Some(_) if t.verdict == Kind::Denied => Seen::Fine,
                    Some(d) if crosses(&t, d) => Seen::Fine,
                    Some(_) if t.verdict == Kind::Allowed => Seen::Bad,
                    Some(_) => Seen::Undecided,
                };
                tally.add(seen, || Witness::Azure(Box::new(t.clone())));
            }
        }
    }
    let samples = [&from, &to].iter().filter(|g| g.sample.is_some()).map(|g| g.name.clone()).collect();
    Ok(tally.finish(intent, IntentLayer::Azure, samples))
}

fn same(a: PolicyEnd, b: PolicyEnd) -> bool {
    match (a, b) {
        (PolicyEnd::Pod(x), PolicyEnd::Pod(y)) => x == y,
        (PolicyEnd::Address(x), PolicyEnd::Address(y)) => x == y,
        _ => false,
    }
}

fn kubernetes(e: &Engines, intent: &Intent, ports: &[Option<u16>]) -> Result<Outcome, CheckError> {
    let c = e.cluster;
    let resolve = |end: &End, side: EndSide| {
        tusk_policy::endpoint::resolve(c, end).map_err(|m| CheckError::at(side)(EndFailure::Cluster(m)))
    };
    let (from, to) = (resolve(&intent.from, EndSide::From)?, resolve(&intent.to, EndSide::To)?);
    let proto = intent.protocol;
    let analysis = Analysis::new(c, e.semantics);
    let mut tally = Tally::new();
    for &port in ports {
        for a in &from.members {
            for b in &to.members {
                if same(a.end, b.end) {
                    continue;
                }
                let witness_at = |port: u16| {
                    let flow = LabelledFlow {
                        from: a.label.clone(),
                        to: b.label.clone(),
                        proto,
                        port: proto.has_ports().then_some(port),
                    };
                    Witness::Kubernetes {
                        flow,
                        explanation: Box::new(explain(c, &e.semantics, a.end, b.end, proto, port)),
                    }
                };
                match port.or((!proto.has_ports()).then_some(0)) {
                    Some(port) => {
                        let ex = explain(c, &e.semantics, a.end, b.end, proto, port);
                        let seen = reach_seen(intent.kind, ex.verdict.kind());
                        tally.add(seen, || witness_at(port));
                    }
                    None => {
                        // Every port at once: the pair's reach, and a port
                        // that shows the answer for the witness.
                        let r = analysis.pair(a.end, b.end);
                        let all = PortSet::all_ports();
                        let allowed = r.allowed().ports(proto).cloned().unwrap_or_else(PortSet::empty);
                        let unknown = r.unknown().ports(proto).cloned().unwrap_or_else(PortSet::empty);
                        let denied = all.subtract(&allowed).subtract(&unknown);
                        let first = |s: &PortSet| s.ranges().first().map(|r| r.0);
                        let (seen, port) = match intent.kind {
                            IntentKind::MustReach => match (first(&denied), first(&unknown)) {
                                (Some(p), _) => (Seen::Bad, p),
                                (None, Some(p)) => (Seen::Undecided, p),
                                (None, None) => (Seen::Fine, 0),
                            },
                            _ => match (first(&allowed), first(&unknown)) {
                                (Some(p), _) => (Seen::Bad, p),
                                (None, Some(p)) => (Seen::Undecided, p),
                                (None, None) => (Seen::Fine, 0),
                            },
                        };
                        tally.add(seen, || witness_at(port));
                    }
                }
            }
        }
    }
    let samples = [&from, &to].iter().filter_map(|g| g.sample.clone()).collect();
    Ok(tally.finish(intent, IntentLayer::Kubernetes, samples))
}
