//! The matrix over every port at once: per cell a connection set (protocol
//! × port intervals, [`ConnSet`]) split by group verdict — allowed for
//! every member pair, mixed, unknown, denied — with the layer that stopped
//! each part (issue 7 item 6: "what is reachable (protocols and ports) and
//! which layer stops the rest").
//!
//! How: *port atoms*. Every rule any layer evaluates names its ports, so
//! the port line of each protocol is cut at every boundary a rule names —
//! the Azure layer's ([`tusk_network::port_cuts`]: NSG and admin rules,
//! firewall network, application and DNAT rules, load balancer rules, NVA
//! rules) and the Kubernetes layer's ([`tusk_policy::port_cuts`]: every
//! policy language's ports, named ports resolved to container port numbers,
//! Services, Ingress backends). Between two cuts no rule tells two ports
//! apart, so the per-port matrix ([`super::matrix`]) is asked once per
//! atom, at the atom's first port, and each cell's answer holds for the
//! whole interval; the cell's connection sets are the unions of its atoms.
//! A protocol without ports (ICMP, ESP, AH, the others) is one atom.
//!
//! The Kubernetes cuts are taken over the whole cluster and the Azure cuts
//! over every rule that may match a flow toward the cluster's pods
//! ([`destinations`]), not per cell: a superset of what any one cell needs
//! (more atoms, never a wrong merge). The test
//! `matrix_ports` samples ports inside every atom and checks the per-port
//! matrix agrees, and that a planted missing boundary is caught.

use super::{matrix, Grain, Layer, Unit};
use crate::join::{Actor, Ask, Path, Wiring};
use std::collections::HashMap;
use std::sync::Arc;
use tusk_core::{ConnSet, GroupKind, GroupReach, Kind, PortAtom, PortCuts, Protocol};
use tusk_model::Estate;
use tusk_network::Prepared;

/// One part of a cell: the connections on which some member pair got
/// `kind` with `layer` stopping it (`None`: every layer allows), and one
/// example path (traced at the first atom where the part appeared).
#[derive(Debug, Clone)]
pub struct Part {
    /// The pair's verdict.
    pub kind: Kind,
    /// The layer that stopped it; `None` for allowed.
    pub layer: Option<Layer>,
    /// The connections where some member pair of the cell had this
    /// (verdict, layer) (parts of one cell may overlap: on a `mixed`
    /// connection one pair is allowed and another denied).
    pub conns: ConnSet,
    /// An example pair's path, at [`Part::example_at`].
    pub example: Arc<Path>,
    /// The atom the example was traced at.
    pub example_at: PortAtom,
}

/// One cell over every asked connection.
#[derive(Debug, Clone)]
pub struct PortCell {
    /// The row's unit name.
    pub from: String,
    /// The column's unit name.
    pub to: String,
    /// Who sends.
    pub actor: Actor,
    /// Per connection, the group verdict over the cell's member pairs:
    /// `allowed`, `mixed` and `unknown` sets; the rest of
    /// [`PortMatrix::asked`] is denied for every pair ([`PortCell::denied`]).
    pub reach: GroupReach,
    /// (class, class, same node or not) combinations the cell stands for
    /// (the same at every atom).
    pub combinations: usize,
    /// One per distinct (verdict, stopping layer), in first-seen order.
    pub parts: Vec<Part>,
}

impl PortCell {
    /// The asked connections every member pair is denied.
    pub fn denied(&self, asked: &ConnSet) -> ConnSet {
        asked.subtract(&self.reach.allowed).subtract(&self.reach.mixed).subtract(&self.reach.unknown)
    }

    /// The layers that stopped (denied or left unknown) some member pair
    /// on some connection, sorted.
    pub fn stops(&self) -> Vec<Layer> {
        let mut v: Vec<Layer> = self.parts.iter().filter_map(|p| p.layer).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// The matrix over every asked connection, and what it cost.
pub struct PortMatrix {
    /// What rows and columns stand for.
    pub grain: Grain,
    /// The connections asked about (every port of the asked protocols).
    pub asked: ConnSet,
    /// The atoms evaluated, per protocol in port order.
    pub atoms: Vec<PortAtom>,
    /// One per ordered pair of units and actor, in the per-port matrix's order.
    pub cells: Vec<PortCell>,
    /// Context classes (as [`super::Matrix::classes`]).
    pub classes: usize,
    /// Representative pairs traced, summed over atoms.
    pub traced: usize,
}

/// The port cuts of both layers: the wired network's and `tusk.yaml`'s
/// NVA rules that may match a flow toward the cluster's pods
/// ([`tusk_network::port_cuts::port_cuts_toward`] over [`destinations`])
/// merged with the cluster's policies, pods, Services and Ingresses
/// ([`tusk_policy::port_cuts::port_cuts`]).
pub fn cuts(estate: &Estate, w: &Wiring) -> PortCuts {
    let toward = destinations(estate, w);
    let mut c = tusk_network::port_cuts::port_cuts_toward(&w.net, &estate.config, Some(&toward));
    c.merge(&tusk_policy::port_cuts::port_cuts(&estate.k8s));
    c
}

/// Every address a pod destination of the matrix may have on the wire: the
/// address space of each VNet holding a subnet some node or pod address of
/// the wiring lies in (a simulated node stands for its whole subnet, a CNI
/// pod for its pod subnet), the clusters' pod CIDRs (kubenet, overlay), the
/// kubenet nodes' blocks, the `tusk.yaml` / `--pod-cidr` pod ranges and
/// every exported pod and node address. A superset: rules toward other
/// addresses only cannot decide a pod-to-pod flow.
pub fn destinations(estate: &Estate, w: &Wiring) -> tusk_core::IpSet {
    use tusk_core::ip::addr_set;
    use tusk_core::IpSet;
    let mut addrs: Vec<std::net::IpAddr> = w.node_ips.values().flatten().copied().collect();
    addrs.extend(w.pod_ips.values().copied());
    for p in &estate.k8s.pods {
        addrs.extend(p.ips.iter().copied());
        addrs.extend(p.host_ip);
    }
    let mut set = addrs.iter().fold(IpSet::empty(), |a, ip| a.union(&addr_set(*ip)));
    for v in &w.net.vnets {
        let space = v.address_space.iter().fold(IpSet::empty(), |a, c| a.union(&c.set()));
        if addrs.iter().any(|ip| space.contains_ip(*ip)) {
            set = set.union(&space);
        }
    }
    for c in &estate.clusters {
        for cidr in &c.network.pod_cidrs {
            set = set.union(&cidr.set());
        }
    }
    for b in w.blocks.values().flatten() {
        set = set.union(&b.set());
    }
    if let Some(p) = &estate.k8s.pod_cidrs {
        set = set.union(p);
    }
    set
}

/// The atoms of `protos` under `cuts`, protocol by protocol.
pub fn atoms(cuts: &PortCuts, protos: &[Protocol]) -> Vec<PortAtom> {
    protos.iter().flat_map(|&p| cuts.atoms(p)).collect()
}

/// The matrix of `units` for each of `actors` over every port of `protos`
/// (`ask.proto`, `ask.port` and `ask.actor` are ignored), one per-port
/// matrix per atom of [`cuts`]. Errors: none (as [`super::matrix`]).
#[allow(clippy::too_many_arguments)]
pub fn port_matrix(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    grain: Grain,
    units: &[Unit],
    actors: &[Actor],
    ask: Ask,
    protos: &[Protocol],
) -> PortMatrix {
    let atoms = atoms(&cuts(estate, w), protos);
    port_matrix_at(estate, w, p, grain, units, actors, ask, &atoms)
}

/// [`port_matrix`] over given atoms (which must partition the asked
/// connections; the tests plant a missing cut this way).
#[allow(clippy::too_many_arguments)]
pub fn port_matrix_at(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    grain: Grain,
    units: &[Unit],
    actors: &[Actor],
    ask: Ask,
    atoms: &[PortAtom],
) -> PortMatrix {
    let asked = atoms.iter().fold(ConnSet::none(), |a, x| a.union(&x.conns()));
    let mut cells: Vec<PortCell> = Vec::new();
    let mut index: HashMap<(String, String, bool), usize> = HashMap::new();
    let (mut classes, mut traced) = (0, 0);
    for atom in atoms {
        let m = matrix(estate, w, p, grain, units, actors, Ask { proto: atom.proto, port: atom.port(), ..ask });
        classes = m.classes;
        traced += m.traced;
        let conns = atom.conns();
        for c in m.cells {
            let i = *index.entry((c.from.clone(), c.to.clone(), c.actor == Actor::Node)).or_insert_with(|| {
                cells.push(PortCell {
                    from: c.from.clone(),
                    to: c.to.clone(),
                    actor: c.actor,
                    reach: GroupReach::default(),
                    combinations: c.combinations,
                    parts: Vec::new(),
                });
                cells.len() - 1
            });
            let cell = &mut cells[i];
            let slot = match c.verdict {
                GroupKind::Allowed => Some(&mut cell.reach.allowed),
                GroupKind::Mixed => Some(&mut cell.reach.mixed),
                GroupKind::Unknown => Some(&mut cell.reach.unknown),
                GroupKind::Denied => None,
            };
            if let Some(s) = slot {
                *s = s.union(&conns);
            }
            for (kind, layer, path) in c.examples {
                match cell.parts.iter_mut().find(|x| x.kind == kind && x.layer == layer) {
                    Some(x) => x.conns = x.conns.union(&conns),
                    None => {
                        cell.parts.push(Part { kind, layer, conns: conns.clone(), example: path, example_at: *atom })
                    }
                }
            }
        }
    }
    PortMatrix { grain, asked, atoms: atoms.to_vec(), cells, classes, traced }
}
