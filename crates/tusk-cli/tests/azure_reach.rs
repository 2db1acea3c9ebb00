//! The all-pairs engine (`reach`) agrees with the full per-flow trace on
//! every subnet pair of every fixture estate, for a few ports and
//! protocols, and really takes its lean path on the hub & spoke estates;
//! every member of a class of NICs gets its class's verdict; and a subnet
//! whose NICs are treated differently makes its pairs mixed.

use std::path::Path;
use tusk_core::{GroupKind, Protocol};
use tusk_network::reach::{all_pairs, full, Rep};
use tusk_network::Prepared;

#[test]
fn lean_all_pairs_agree_with_full_traces_on_every_fixture_estate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure");
    let mut lean_pairs = 0;
    let mut estates = 0;
    for e in std::fs::read_dir(&root).unwrap() {
        let dir = e.unwrap().path();
        if !dir.join("expect.json").exists() {
            continue;
        }
        estates += 1;
        let loaded = tusk_load::load_paths(&[dir.join("input")]).unwrap();
        let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
        for (proto, port) in
            [(Protocol::Tcp, Some(443)), (Protocol::Tcp, Some(22)), (Protocol::Udp, Some(53)), (Protocol::Icmp, None)]
        {
            let m = all_pairs(&p, proto, port);
            let n = m.reps.len();
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        let want = full(&p, m.reps[i], m.reps[j], proto, port);
                        assert_eq!(
                            m.verdicts[i * n + j],
                            want,
                            "{}: {} → {} {proto:?}/{port:?}",
                            dir.display(),
                            p.net.subnet_path(m.reps[i].subnet),
                            p.net.subnet_path(m.reps[j].subnet)
                        );
                    }
                }
            }
            lean_pairs += n * n.saturating_sub(1) - m.fallbacks;
        }
    }
    assert!(estates >= 7);
    assert!(lean_pairs > 50, "the lean path decided only {lean_pairs} pairs");
}

/// Issue 8, A8: a class stands for every member in it. For every fixture
/// estate, every pair of member addresses (not just the representatives)
/// gets, from the full trace, the verdict of its class pair.
#[test]
fn every_member_pair_gets_the_verdict_of_its_class_pair() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure");
    let mut member_pairs = 0;
    for e in std::fs::read_dir(&root).unwrap() {
        let dir = e.unwrap().path();
        if !dir.join("expect.json").exists() {
            continue;
        }
        let loaded = tusk_load::load_paths(&[dir.join("input")]).unwrap();
        let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
        for (proto, port) in [(Protocol::Tcp, Some(443)), (Protocol::Udp, Some(53))] {
            let m = all_pairs(&p, proto, port);
            let n = m.reps.len();
            let rep = |i: usize, k: usize| {
                let (ip, owner) = m.classes[i].members[k];
                Rep { subnet: m.classes[i].subnet, ip, owner }
            };
            for i in 0..n {
                for j in 0..n {
                    for a in 0..m.members(i) {
                        for b in 0..m.members(j) {
                            let (x, y) = (rep(i, a), rep(j, b));
                            if x.ip == y.ip || i == j {
                                continue;
                            }
                            member_pairs += 1;
                            assert_eq!(
                                full(&p, x, y, proto, port),
                                m.verdicts[i * n + j],
                                "{}: {} → {} {proto:?}/{port:?}",
                                dir.display(),
                                x.ip,
                                y.ip
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(member_pairs > 100, "only {member_pairs} member pairs checked");
}

/// Issue 8, A8: NICs of one subnet with a different NIC NSG, a different
/// ASG, or an address a rule names make the subnet pair mixed, where the
/// lowest address alone would say allowed.
#[test]
fn reach_says_mixed_when_the_nics_of_a_subnet_are_treated_differently() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure/nic-groups-mixed/input");
    let loaded = tusk_load::load_paths(&[dir]).unwrap();
    let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
    let m = all_pairs(&p, Protocol::Tcp, Some(443));
    let verdict = |from: &str, to: &str| {
        m.subnet_pairs()
            .find(|s| p.net.subnet_path(s.from) == from && p.net.subnet_path(s.to) == to)
            .map(|s| s.verdict)
            .unwrap_or_else(|| panic!("no pair {from} → {to}"))
    };
    for to in ["vnet1/app", "vnet1/db", "vnet1/svc"] {
        assert_eq!(verdict("vnet1/web", to), GroupKind::Mixed, "web → {to}");
    }
    // Nothing denies traffic toward web: every NIC pair allows it.
    assert_eq!(verdict("vnet1/app", "vnet1/web"), GroupKind::Allowed);
    // The representative alone (the lowest address, app-1) is allowed.
    let web = m.reps.iter().position(|r| p.net.subnet_path(r.subnet) == "vnet1/web").unwrap();
    let app = m.reps.iter().position(|r| p.net.subnet_path(r.subnet) == "vnet1/app").unwrap();
    assert_eq!(m.verdicts[web * m.reps.len() + app], tusk_network::Kind::Allowed);
}
