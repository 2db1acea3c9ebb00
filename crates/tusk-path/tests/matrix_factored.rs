//! The factored matrix (`tusk_path::matrix::factored`) against the class
//! matrix (`tusk_path::matrix::class_matrix`, itself checked against
//! per-pair tracing by `matrix_oracle`), cell by cell: the same cells in the
//! same order, the same group verdict, the same set of (verdict, stopping
//! layer); and every example the factored form shows is a real member pair
//! whose traced path says what the cell claims. On every fixture estate
//! with an AKS cluster and on generated estates (`tusk-gen --estate`
//! shapes, several seeds): pods without IPs, policies with ipBlocks, a
//! firewall with application rules.

mod estates;

use estates::{aks_fixtures, load};
use tusk_core::{Kind, Protocol};
use tusk_network::Prepared;
use tusk_path::join::{Actor, Ask, Wiring};
use tusk_path::matrix::{self, Grain, Layer, Matrix};
use tusk_policy::{PolicyEngine, Semantics};

/// Compares one factored matrix with the class matrix; returns the cells compared.
fn compare(at: &str, f: &Matrix, c: &Matrix, actor: Actor) -> usize {
    let got: Vec<&matrix::Cell> = f.cells.iter().filter(|x| x.actor == actor).collect();
    let want: Vec<&matrix::Cell> = c.cells.iter().filter(|x| x.actor == actor).collect();
    assert_eq!(got.len(), want.len(), "{at} {actor:?}: cell count");
    for (g, x) in got.iter().zip(&want) {
        let at = format!("{at} {actor:?} {} -> {}", x.from, x.to);
        assert_eq!((&g.from, &g.to), (&x.from, &x.to), "{at}: cells in unit order");
        assert_eq!(g.verdict, x.verdict, "{at}: group verdict");
        let set = |m: &matrix::Cell| {
            let mut v: Vec<(Kind, Option<Layer>)> = m.examples.iter().map(|y| (y.0, y.1)).collect();
            v.sort();
            v
        };
        assert_eq!(set(g), set(x), "{at}: (verdict, stopping layer) combinations");
        for (k, layer, path) in &g.examples {
            // The witness is a real pair: its own path says what the cell claims.
            assert_eq!((path.verdict, Layer::of(path)), (*k, *layer), "{at}: witness path");
            // Never a pod with itself (two replicas of one entry have two names).
            assert!(actor == Actor::Node || path.from != path.to, "{at}: witness is a pod with itself");
        }
    }
    got.len()
}

#[test]
fn the_factored_matrix_equals_the_class_matrix_on_every_fixture_estate() {
    let estates = aks_fixtures(&[]);
    assert!(estates.len() >= 3, "fixture estates with clusters: {}", estates.len());
    let flows = [(Protocol::Tcp, 8080), (Protocol::Tcp, 443), (Protocol::Tcp, 1433), (Protocol::Udp, 53)];
    let sem = Semantics::of(PolicyEngine::Calico);
    let (mut cells, mut factored, mut fell_back) = (0, 0, 0);
    // Each estate as loaded, then with the pools' pod ranges on its pods.
    let wired = estates.iter().map(|(n, e)| {
        let mut e = e.clone();
        tusk_path::join::wire(&mut e);
        (format!("{n} (ranges)"), e)
    });
    let estates: Vec<(String, tusk_model::Estate)> =
        estates.iter().map(|(n, e)| (n.to_string(), e.clone())).chain(wired).collect();
    for (name, e) in &estates {
        let w = Wiring::new(e);
        let p = Prepared::new(&w.net, &e.config);
        for grain in [Grain::Tenant, Grain::Namespace, Grain::Workload, Grain::Pod] {
            let Ok(units) = matrix::units(e, &w, grain, "tenant") else { continue };
            for (proto, port) in flows {
                let ask = Ask { sem: &sem, actor: Actor::Pod, proto, port: Some(port), http: None, fqdn: None };
                let actors = [Actor::Pod, Actor::Node];
                let Some(f) = matrix::factored::factored(e, &w, &p, grain, &units, &actors, ask) else {
                    fell_back += 1;
                    continue;
                };
                factored += 1;
                let c = matrix::class_matrix(e, &w, &p, grain, &units, &actors, ask);
                for actor in actors {
                    cells += compare(&format!("{name} {grain:?} {proto}/{port}"), &f, &c, actor);
                }
            }
        }
    }
    eprintln!(
        "fixtures: {cells} cells compared, {factored} matrices factored, {fell_back} answered by the class matrix"
    );
    assert!(cells > 100, "only {cells} cells compared");
    assert!(factored > fell_back, "the factored form answered {factored} matrices, fell back on {fell_back}");
}

#[test]
fn the_factored_matrix_equals_the_class_matrix_on_generated_estates() {
    let sem = Semantics::of(PolicyEngine::Calico);
    let mut cells = 0;
    for seed in [1, 2, 3] {
        let shape = tusk_gen::estate::Shape {
            spokes: 6,
            subnets_per_spoke: 3,
            network_rules: 200,
            application_rules: 100,
            no_route_table_every: 4,
            mesh_every: 5,
            tenants: 4,
            nodes_per_pool: 2,
            pods: 600,
            namespaces: 12,
            policies: 60,
            seed,
        };
        let dir = tempfile::tempdir().unwrap();
        tusk_gen::estate::write_dir(&shape, dir.path()).unwrap();
        let mut e = load(dir.path());
        // Without and with the pools' pod ranges on the pods (`join::wire`).
        for ranges in [false, true] {
            let w = if ranges { tusk_path::join::wire(&mut e) } else { Wiring::new(&e) };
            let e = &e;
            let p = Prepared::new(&w.net, &e.config);
            for grain in [Grain::Tenant, Grain::Namespace] {
                let units = matrix::units(e, &w, grain, "tenant").unwrap();
                let ask = Ask {
                    sem: &sem,
                    actor: Actor::Pod,
                    proto: Protocol::Tcp,
                    port: Some(8080),
                    http: None,
                    fqdn: None,
                };
                let actors = [Actor::Pod, Actor::Node];
                let f = matrix::factored::factored(e, &w, &p, grain, &units, &actors, ask)
                    .unwrap_or_else(|| panic!("seed {seed} {grain:?}: the factored form covers the generated estate"));
                let c = matrix::class_matrix(e, &w, &p, grain, &units, &actors, ask);
                for actor in actors {
                    cells += compare(&format!("generated seed {seed} {grain:?} ranges {ranges}"), &f, &c, actor);
                }
            }
        }
    }
    assert!(cells > 100, "only {cells} cells compared");
}
