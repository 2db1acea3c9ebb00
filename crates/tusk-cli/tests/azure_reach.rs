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

/// `tusk-gen --estate` at a small size: the benchmark's shapes (firewall
/// network and application rules, spokes without route tables, a direct
/// mesh, the AKS VNet with its UDR to the hub), with `seed`.
fn small_estate(seed: u64) -> tusk_gen::estate::Shape {
    tusk_gen::estate::Shape {
        spokes: 6,
        subnets_per_spoke: 3,
        network_rules: 120,
        application_rules: 40,
        no_route_table_every: 3,
        mesh_every: 2,
        tenants: 2,
        nodes_per_pool: 1,
        pods: 20,
        namespaces: 2,
        policies: 4,
        seed,
    }
}

const GEN_SUB: &str =
    "/subscriptions/00000000-0000-0000-0000-0000000000b1/resourceGroups/rg-bench/providers/Microsoft.Network";

/// NICs in a few subnets of a generated estate (two in one subnet, one
/// with its own NSG), and a DNAT rule collection on the hub firewall that
/// translates spoke 1's HTTPS to spoke 3's first subnet, so the estate
/// mixes NICs with NIC-less stand-ins and has a DNAT match.
fn add_nics_and_dnat(dir: &Path) {
    let nic = |name: &str, vnet: &str, subnet: &str, ip: &str, nsg: bool| {
        let nsg = if nsg {
            format!(r#", "networkSecurityGroup": {{"id": "{GEN_SUB}/networkSecurityGroups/nsg-nic"}}"#)
        } else {
            String::new()
        };
        format!(
            r#"{{"name": "{name}", "id": "{GEN_SUB}/networkInterfaces/{name}", "type": "Microsoft.Network/networkInterfaces", "properties": {{"ipConfigurations": [{{"name": "c", "properties": {{"privateIPAddress": "{ip}", "subnet": {{"id": "{GEN_SUB}/virtualNetworks/{vnet}/subnets/{subnet}"}}}}}}]{nsg}}}}}"#
        )
    };
    let nsg = format!(
        r#"{{"name": "nsg-nic", "id": "{GEN_SUB}/networkSecurityGroups/nsg-nic", "type": "Microsoft.Network/networkSecurityGroups", "properties": {{"securityRules": [{{"name": "deny-22-in", "properties": {{"priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}}}]}}}}"#
    );
    let items = [
        nic("vm-1a", "spoke1", "snet0", "10.1.0.10", false),
        nic("vm-2b", "spoke2", "snet1", "10.2.1.10", false),
        nic("vm-3a", "spoke3", "snet0", "10.3.0.10", false),
        nic("vm-3a2", "spoke3", "snet0", "10.3.0.11", true),
        nic("vm-6c", "spoke6", "snet2", "10.6.2.10", false),
        nic("vm-t1", "vnet-aks", "tenant1", "10.250.1.10", false),
        nsg,
    ];
    std::fs::write(dir.join("nics.json"), format!("{{\"value\": [{}]}}", items.join(",\n"))).unwrap();
    let net = dir.join("network.json");
    let body = std::fs::read_to_string(&net).unwrap();
    let dnat = r#""natRuleCollections": [{"name": "dnat", "properties": {"priority": 100, "action": {"type": "Dnat"}, "rules": [{"name": "to-spoke2", "protocols": ["TCP"], "sourceAddresses": ["10.1.0.0/16"], "destinationAddresses": ["10.3.0.0/24"], "destinationPorts": ["443"], "translatedAddress": "10.2.1.10", "translatedPort": "443"}]}}], "networkRuleCollections": ["#;
    assert!(body.contains(r#""networkRuleCollections": ["#));
    std::fs::write(&net, body.replacen(r#""networkRuleCollections": ["#, dnat, 1)).unwrap();
}

/// Issue 7 item 8: the lean evaluator decides the generated estate's pairs
/// itself (application rules make a name-less flow unknown, NIC-less
/// subnets' stand-ins are delivered nowhere, spokes without route tables
/// drop private traffic to the Internet next hop), and each of its verdicts
/// is the full trace's, on estates with and without NICs and DNAT.
#[test]
fn lean_all_pairs_agree_with_full_traces_on_generated_estates() {
    let mut checked = 0;
    for seed in [1, 7] {
        for with_nics in [false, true] {
            let tmp = tempfile::tempdir().unwrap();
            tusk_gen::estate::write_dir(&small_estate(seed), tmp.path()).unwrap();
            if with_nics {
                add_nics_and_dnat(tmp.path());
            }
            let loaded = tusk_load::load_paths(&[tmp.path().to_path_buf()]).unwrap();
            let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
            assert!(p.net.firewalls[tusk_model::azure::Idx::new(0)].classic.len() >= 3);
            let mut allowed = 0;
            for (proto, port) in [
                (Protocol::Tcp, Some(443)),
                (Protocol::Tcp, Some(22)),
                (Protocol::Tcp, Some(1433)),
                (Protocol::Udp, Some(53)),
                (Protocol::Icmp, None),
            ] {
                let m = all_pairs(&p, proto, port);
                let n = m.reps.len();
                let mut kinds = [0usize; 3];
                for i in 0..n {
                    for j in (0..n).filter(|&j| j != i) {
                        let want = full(&p, m.reps[i], m.reps[j], proto, port);
                        let got = m.verdicts[i * n + j];
                        assert_eq!(
                            got,
                            want,
                            "seed {seed}, NICs {with_nics}: {} ({}) → {} ({}) {proto:?}/{port:?}",
                            p.net.subnet_path(m.reps[i].subnet),
                            m.reps[i].ip,
                            p.net.subnet_path(m.reps[j].subnet),
                            m.reps[j].ip,
                        );
                        kinds[got as usize] += 1;
                        checked += 1;
                    }
                }
                // Only the rare shapes fall back: pairs from or to the
                // firewall subnet's stand-in (the firewall holds that
                // address), and with NICs the few the DNAT rule translates.
                let held = m.reps.iter().filter(|r| r.owner.is_none() && p.private.contains_key(&r.ip)).count();
                let held_pairs = 2 * held * (n - 1);
                assert!(
                    m.fallbacks <= held_pairs + if with_nics { 16 } else { 0 },
                    "seed {seed}, NICs {with_nics}, {proto:?}/{port:?}: {} of {} pairs fell back ({held_pairs} touch a held stand-in)",
                    m.fallbacks,
                    n * (n - 1)
                );
                if proto == Protocol::Tcp && port == Some(443) {
                    // The estate's point: HTTPS through the hub is unknown
                    // (application rules), and some pairs are denied.
                    assert!(
                        kinds[tusk_network::Kind::Unknown as usize] > 0
                            && kinds[tusk_network::Kind::Denied as usize] > 0,
                        "{kinds:?}"
                    );
                }
                allowed += kinds[tusk_network::Kind::Allowed as usize];
            }
            // NICs make delivery possible: some pairs are allowed.
            assert_eq!(allowed > 0, with_nics, "seed {seed}, NICs {with_nics}: {allowed} allowed");
        }
    }
    assert!(checked > 5_000, "only {checked} pairs checked");
}
