//! The all-pairs engine (`reach`) agrees with the full per-flow trace on
//! every subnet pair of every fixture estate, for a few ports and
//! protocols, and really takes its lean path on the hub & spoke estates.

use std::path::Path;
use tusk_core::Protocol;
use tusk_network::reach::{all_pairs, full};
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
