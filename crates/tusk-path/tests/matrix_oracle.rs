//! The class-based matrix (`tusk_path::matrix`) against its oracle, the
//! per-pair form: every member pair of every cell traced through the join
//! (`join::trace` over `join::pod_members`, as `tusk_path::tenants` does).
//! On every fixture estate with an AKS cluster (`examples/article/*`,
//! `tests/aks/*/input`), at every grain, for both actors and several flows,
//! both must give each cell the same group verdict and the same set of
//! (verdict, stopping layer) combinations; the diagonal (a unit's members
//! to each other) included.

mod estates;

use estates::aks_fixtures;
use tusk_core::{GroupKind, Kind, Protocol};
use tusk_model::Estate;
use tusk_network::Prepared;
use tusk_path::join::{self, Actor, Ask, End, Wiring};
use tusk_path::matrix::{self, Grain, Layer, Unit};
use tusk_policy::{PolicyEngine, Semantics};

/// A cell's (from, to, group verdict, distinct (verdict, stopping layer)).
type Summary = (String, String, GroupKind, Vec<(Kind, Option<Layer>)>);

/// The oracle: each cell's member pairs traced one by one, the diagonal
/// (a unit to itself) included. A pod's flow to itself (the same replica
/// on the same node) is no pair of the matrix: it is dropped, and a
/// diagonal cell left without pairs has no cell.
fn per_pair(e: &Estate, w: &Wiring, p: &Prepared, units: &[Unit], actor: Actor, ask: Ask) -> Vec<Summary> {
    let ends: Vec<End> = units
        .iter()
        .map(|u| {
            let (members, collapsed) = join::pod_members(e, w, u.pods.iter().copied());
            End { name: u.name.clone(), members, collapsed, ..Default::default() }
        })
        .collect();
    let mut out = Vec::new();
    for (a, ea) in ends.iter().enumerate() {
        for (b, eb) in ends.iter().enumerate() {
            let g = join::trace(e, w, p, ea, eb, Ask { actor, ..ask });
            let itself = |x: &&join::Path| actor == Actor::Pod && x.from == x.to && x.src_node == x.dst_node;
            let pairs: Vec<&join::Path> = g.pairs.iter().filter(|x| !itself(x)).collect();
            if pairs.is_empty() && a == b {
                continue;
            }
            let mut seen: Vec<(Kind, Option<Layer>)> = pairs.iter().map(|x| (x.verdict, Layer::of(x))).collect();
            seen.sort();
            seen.dedup();
            let verdict = GroupKind::of_kinds(pairs.iter().map(|x| x.verdict));
            out.push((ea.name.clone(), eb.name.clone(), verdict, seen));
        }
    }
    out
}

#[test]
fn the_class_based_matrix_equals_per_pair_tracing_cell_by_cell_on_every_fixture_estate() {
    let estates = aks_fixtures(&[]);
    assert!(estates.len() >= 3, "the article's two variants and tests/aks hold clusters: {}", estates.len());
    let flows = [(Protocol::Tcp, 8080), (Protocol::Tcp, 443), (Protocol::Tcp, 1433), (Protocol::Udp, 53)];
    let sem = Semantics::of(PolicyEngine::Calico);
    let (mut cells, mut kinds, mut diagonal) = (0, std::collections::BTreeSet::new(), 0);
    for (name, e) in &estates {
        let w = Wiring::new(e);
        let p = Prepared::new(&w.net, &e.config);
        for grain in [Grain::Tenant, Grain::Namespace, Grain::Workload, Grain::Pod] {
            let Ok(units) = matrix::units(e, &w, grain, "tenant") else { continue };
            for (proto, port) in flows {
                let ask = Ask { sem: &sem, actor: Actor::Pod, proto, port: Some(port), http: None, fqdn: None };
                let m = matrix::matrix(e, &w, &p, grain, &units, &[Actor::Pod, Actor::Node], ask);
                for actor in [Actor::Pod, Actor::Node] {
                    let want = per_pair(e, &w, &p, &units, actor, ask);
                    let got: Vec<&matrix::Cell> = m.cells.iter().filter(|c| c.actor == actor).collect();
                    assert_eq!(
                        got.len(),
                        want.len(),
                        "{name} {grain:?}: one cell per ordered pair of units with pairs"
                    );
                    for (c, (from, to, verdict, seen)) in got.iter().zip(&want) {
                        assert_eq!((&c.from, &c.to), (from, to), "{name} {grain:?}: cells in unit order");
                        let mut mine: Vec<(Kind, Option<Layer>)> = c.examples.iter().map(|x| (x.0, x.1)).collect();
                        mine.sort();
                        let at = format!("{name} {grain:?} {proto}/{port} {actor:?} {} -> {}", c.from, c.to);
                        assert_eq!(c.verdict, *verdict, "{at}: group verdict");
                        assert_eq!(&mine, seen, "{at}: (verdict, stopping layer) combinations");
                        cells += 1;
                        diagonal += usize::from(c.from == c.to);
                        kinds.insert(c.verdict);
                    }
                }
            }
        }
    }
    // The comparison must have bitten: many cells, and more than one verdict.
    assert!(cells > 100, "only {cells} cells compared");
    assert!(diagonal > 20, "only {diagonal} diagonal cells compared");
    assert!(kinds.len() >= 3, "verdicts seen: {kinds:?}");
}

#[test]
fn a_cell_whose_classes_disagree_is_mixed_and_names_each_stopping_layer() {
    let estates = aks_fixtures(&[]);
    let (name, e) = estates.iter().find(|(n, _)| n.ends_with("kubenet")).expect("the article's kubenet estate");
    let w = Wiring::new(e);
    let p = Prepared::new(&w.net, &e.config);
    let sem = Semantics::of(PolicyEngine::Calico);
    let units = matrix::units(e, &w, Grain::Tenant, "tenant").unwrap();
    let ask = Ask { sem: &sem, actor: Actor::Pod, proto: Protocol::Tcp, port: Some(8080), http: None, fqdn: None };
    let m = matrix::matrix(e, &w, &p, Grain::Tenant, &units, &[Actor::Pod, Actor::Node], ask);
    for c in &m.cells {
        let kinds: std::collections::BTreeSet<Kind> = c.examples.iter().map(|x| x.0).collect();
        let uniform = kinds.len() == 1;
        assert_eq!(c.verdict == GroupKind::Mixed, kinds.contains(&Kind::Allowed) && kinds.contains(&Kind::Denied));
        if uniform {
            assert_eq!(c.verdict.uniform(), kinds.iter().next().copied(), "{name}: {} -> {}", c.from, c.to);
        }
        for x in &c.examples {
            assert_eq!(x.1.is_none(), x.0 == Kind::Allowed, "a stopping layer exactly when not allowed");
        }
    }
    assert!(m.cells.iter().any(|c| c.actor == Actor::Node && c.stops().contains(&Layer::Network)));
}
