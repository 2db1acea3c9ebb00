//! The matrix over every port (`tusk_path::matrix::ports`) against the
//! per-port matrix it is built from: for every port atom, ports sampled
//! inside it (its last port and a random one; the first is the atom's
//! representative) must get, cell by cell, the group verdict the port
//! matrix gives that connection, and the same set of (verdict, stopping
//! layer) parts. On every fixture estate with an AKS cluster
//! (`examples/article/*`, `tests/aks/*/input`, `tests/aks-ports/input`) and
//! on generated estates (`tusk-gen --estate` shapes, two seeds), for both
//! actors. A planted missing boundary (one cut removed between two atoms
//! that answer differently) must be caught by the same check.

mod estates;

use estates::{aks_fixtures, load, root};
use tusk_core::{Kind, PortAtom, PortCuts, Protocol};
use tusk_model::Estate;
use tusk_network::Prepared;
use tusk_path::join::{Actor, Ask, Wiring};
use tusk_path::matrix::{self, ports, Grain, Layer};
use tusk_policy::{PolicyEngine, Semantics};

/// A small generated estate (the benchmark's shapes: firewall network and
/// application rules, spokes without route tables, a direct mesh, tenant
/// pools, policies with ports and ipBlocks).
fn generated(seed: u64) -> (String, Estate) {
    let shape = tusk_gen::estate::Shape {
        spokes: 4,
        subnets_per_spoke: 2,
        network_rules: 60,
        application_rules: 20,
        no_route_table_every: 3,
        mesh_every: 2,
        tenants: 2,
        nodes_per_pool: 1,
        pods: 20,
        namespaces: 2,
        policies: 8,
        seed,
    };
    let tmp = tempfile::tempdir().unwrap();
    tusk_gen::estate::write_dir(&shape, tmp.path()).unwrap();
    (format!("generated seed {seed}"), load(tmp.path()))
}

/// A tiny deterministic generator (xorshift) for the sampled ports.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % u64::from(n.max(1))) as u32
    }
}

/// Compares the port matrix over `atoms` with per-port matrices at ports
/// sampled in each atom; returns the disagreements and how many cells
/// were compared.
fn disagreements(e: &Estate, atoms: &[PortAtom], rng: &mut Rng) -> (Vec<String>, usize) {
    let w = Wiring::new(e);
    let p = Prepared::new(&w.net, &e.config);
    let sem = Semantics::of(PolicyEngine::Calico);
    let units = matrix::units(e, &w, Grain::Tenant, "tenant").expect("two tenants");
    let actors = [Actor::Pod, Actor::Node];
    let ask = Ask { sem: &sem, actor: Actor::Pod, proto: Protocol::Tcp, port: None, http: None, fqdn: None };
    let pm = ports::port_matrix_at(e, &w, &p, Grain::Tenant, &units, &actors, ask, atoms);
    let (mut bad, mut compared) = (Vec::new(), 0);
    for atom in atoms {
        let mut samples: Vec<Option<u16>> = match atom.ports {
            Some((lo, hi)) => vec![Some(hi), Some(lo + rng.below(u32::from(hi - lo) + 1) as u16)],
            None => vec![None],
        };
        samples.dedup();
        for port in samples {
            let m = matrix::matrix(e, &w, &p, Grain::Tenant, &units, &actors, Ask { proto: atom.proto, port, ..ask });
            assert_eq!(m.cells.len(), pm.cells.len(), "one cell per ordered pair and actor at every port");
            for (c, pc) in m.cells.iter().zip(&pm.cells) {
                assert_eq!((&c.from, &c.to, c.actor), (&pc.from, &pc.to, pc.actor), "cells in one order");
                let x = port.unwrap_or(0);
                let got = pc.reach.at(atom.proto, x);
                let mut want_parts: Vec<(Kind, Option<Layer>)> = c.examples.iter().map(|x| (x.0, x.1)).collect();
                want_parts.sort();
                let mut got_parts: Vec<(Kind, Option<Layer>)> =
                    pc.parts.iter().filter(|p| p.conns.allows(atom.proto, x)).map(|p| (p.kind, p.layer)).collect();
                got_parts.sort();
                compared += 1;
                if got != c.verdict || got_parts != want_parts {
                    bad.push(format!(
                        "{} -> {} {:?} at {} {port:?} (atom {:?}): per-port {:?} {want_parts:?}, port matrix {got:?} {got_parts:?}",
                        c.from, c.to, c.actor, atom.proto, atom.ports, c.verdict
                    ));
                }
            }
        }
    }
    (bad, compared)
}

fn atoms_of(e: &Estate, protos: &[Protocol]) -> (PortCuts, Vec<PortAtom>) {
    let w = Wiring::new(e);
    let cuts = ports::cuts(e, &w);
    let atoms = ports::atoms(&cuts, protos);
    (cuts, atoms)
}

#[test]
fn every_port_inside_an_atom_gets_the_atoms_answer_on_every_fixture_estate() {
    let fixtures = aks_fixtures(&["tests/aks-ports/input"]);
    assert!(fixtures.len() >= 4, "the article's variants, tests/aks and tests/aks-ports: {}", fixtures.len());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let all: Vec<Protocol> = Protocol::PORTED.into_iter().chain(Protocol::PORTLESS).collect();
    let (mut compared, mut atoms_seen) = (0, 0);
    for (name, e) in &fixtures {
        let w = Wiring::new(e);
        if matrix::units(e, &w, Grain::Tenant, "tenant").is_err() {
            continue;
        }
        let (_, atoms) = atoms_of(e, &all);
        atoms_seen += atoms.len();
        let (bad, n) = disagreements(e, &atoms, &mut rng);
        assert!(bad.is_empty(), "{name}: {} disagreements, first: {}", bad.len(), bad[0]);
        compared += n;
    }
    assert!(atoms_seen > 40, "the fixtures name ports: {atoms_seen} atoms");
    assert!(compared > 500, "only {compared} cells compared");
}

#[test]
fn every_port_inside_an_atom_gets_the_atoms_answer_on_generated_estates() {
    let mut rng = Rng(7);
    for seed in [1, 7] {
        let (name, e) = generated(seed);
        let (_, atoms) = atoms_of(&e, &[Protocol::Tcp, Protocol::Udp, Protocol::Icmp]);
        assert!(atoms.len() > 10, "{name}: the generated rules name ports: {} atoms", atoms.len());
        let (bad, n) = disagreements(&e, &atoms, &mut rng);
        assert!(bad.is_empty(), "{name}: {} disagreements, first: {}", bad.len(), bad[0]);
        assert!(n > 50, "{name}: only {n} cells compared");
    }
}

#[test]
fn the_port_sets_of_the_port_fixture_are_the_ones_its_rules_give() {
    let e = load(&root().join("tests/aks-ports/input"));
    let w = Wiring::new(&e);
    let p = Prepared::new(&w.net, &e.config);
    let sem = Semantics::of(PolicyEngine::Calico);
    let units = matrix::units(&e, &w, Grain::Tenant, "tenant").unwrap();
    let ask = Ask { sem: &sem, actor: Actor::Pod, proto: Protocol::Tcp, port: None, http: None, fqdn: None };
    let m = ports::port_matrix(&e, &w, &p, Grain::Tenant, &units, &[Actor::Pod], ask, &[Protocol::Tcp, Protocol::Udp]);
    let cell = |from: &str, to: &str| m.cells.iter().find(|c| c.from == from && c.to == to).unwrap();
    // t1 → t2: t1's egress (443, 8080-8090, UDP 53) ∩ t2's ingress from t1
    // (8080-8090, the named port 9090) ∩ the tenant-2 NSG's TCP deny of 8085.
    assert_eq!(cell("t1", "t2").reach.allowed.to_string(), "TCP 8080-8084,8086-8090");
    // The t1 agent can sit on a tenant-2 node, whose NSG denies 8085 and
    // 22, 3389-3390: mixed there, allowed elsewhere on t1's egress ports.
    assert_eq!(cell("t1", "t1").reach.mixed.to_string(), "TCP 8085");
    let stops = cell("t1", "t2").stops();
    assert!(stops.contains(&Layer::SourcePolicy) && stops.contains(&Layer::Network), "{stops:?}");
}

#[test]
fn a_planted_missing_boundary_is_caught() {
    let e = load(&root().join("tests/aks-ports/input"));
    let (cuts, atoms) = atoms_of(&e, &[Protocol::Tcp]);
    // Find two neighbouring atoms whose answers differ (8085 is denied by
    // the tenant-2 NSG, 8084 is not), and remove the cut between them.
    let at = atoms.iter().position(|a| a.ports == Some((8085, 8085))).expect("8085 is an atom of its own");
    let mut planted = cuts.clone();
    assert!(planted.remove(Protocol::Tcp, 8085), "a cut at 8085");
    let merged = ports::atoms(&planted, &[Protocol::Tcp]);
    assert_eq!(merged.len(), atoms.len() - 1);
    assert!(merged.iter().any(|a| a.ports == Some((atoms[at - 1].ports.unwrap().0, 8085))));
    let (bad, _) = disagreements(&e, &merged, &mut Rng(11));
    assert!(!bad.is_empty(), "the missing boundary at 8085 must make a sampled port disagree");
    let (good, _) = disagreements(&e, &atoms, &mut Rng(11));
    assert!(good.is_empty(), "{good:?}");
}
