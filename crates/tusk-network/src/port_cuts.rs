//! The port boundaries of the Azure layer ([`tusk_core::PortCuts`]): every
//! destination port range any rule this engine evaluates names, per
//! protocol where the rule names one, on TCP, UDP and SCTP at once where it
//! does not. Between two cuts every such rule matches every port or none,
//! so [`crate::trace`] and [`crate::reach`] answer the same for every port
//! of an atom; the cross-layer matrix evaluates one port per atom
//! (`tusk_path::matrix::ports`).
//!
//! Sources, each with the page whose port field it reads:
//! * NSG security rules, `destinationPortRange(s)` ("Network security
//!   groups", virtual-network/network-security-groups-overview: security
//!   rules), and AVNM security admin rules ("Security admin rules",
//!   virtual-network-manager/concept-security-admins);
//! * Azure Firewall network and DNAT rules, `destinationPorts` and
//!   `translatedPort`, and application rules' `protocols[].port`
//!   ("Azure Firewall rule processing logic", firewall/rule-processing),
//!   classic collections and every policy's groups (base policies included);
//! * load balancer rules and inbound NAT rules, `frontendPort` and
//!   `backendPort` ("Load Balancer components", load-balancer/components);
//! * NVA rules of `tusk.yaml` (`nvas[].rules[].ports`).
//!
//! Source ports are not cut: a flow's source port is never asked.
//! The cuts are taken over the whole estate (not per address range): a
//! superset of the cuts a given pair of ranges needs, so never fewer atoms
//! than the answer needs.

use tusk_core::{PortCuts, Protocol};
use tusk_model::azure::{AzureNetwork, FwIpProtocol, LbProtocol, RuleCollection, RuleProtocol};
use tusk_model::config::Config;

/// Every port boundary of `net`'s NSGs, admin rules, firewalls, firewall
/// policies and load balancers, and of `config`'s NVA rules. Cost: one pass
/// over the rules. Never fails.
pub fn port_cuts(net: &AzureNetwork, config: &Config) -> PortCuts {
    let mut c = PortCuts::new();
    let nsg = |c: &mut PortCuts, proto: RuleProtocol, ports: &tusk_core::PortSet| match proto {
        RuleProtocol::Any => c.any_set(ports),
        RuleProtocol::Tcp => c.set(Protocol::Tcp, ports),
        RuleProtocol::Udp => c.set(Protocol::Udp, ports),
        // ICMP, ESP and AH carry no ports.
        _ => {}
    };
    for g in &net.nsgs {
        for r in &g.rules {
            nsg(&mut c, r.protocol, &r.destination_ports);
        }
    }
    for r in &net.admin_rules {
        nsg(&mut c, r.protocol, &r.destination_ports);
    }
    for fw in &net.firewalls {
        collections(&mut c, &fw.classic);
    }
    for pol in &net.firewall_policies {
        for g in &pol.groups {
            collections(&mut c, &g.collections);
        }
    }
    for lb in &net.load_balancers {
        for r in &lb.rules {
            for port in [r.frontend_port, r.backend_port].into_iter().filter(|&p| p != 0) {
                match r.protocol {
                    LbProtocol::Tcp => c.port(Protocol::Tcp, port),
                    LbProtocol::Udp => c.port(Protocol::Udp, port),
                    LbProtocol::All => c.any(port, port),
                }
            }
        }
    }
    for nva in &config.nvas {
        for r in &nva.rules {
            if let Some(ports) = &r.ports {
                match r.protocol {
                    Some(p) => c.set(p, ports),
                    None => c.any_set(ports),
                }
            }
        }
    }
    c
}

/// The cuts of a firewall's rule collections (DNAT, network, application).
fn collections(c: &mut PortCuts, cols: &[RuleCollection]) {
    for col in cols {
        for r in &col.rules {
            // A rule without `ipProtocols` (application rules) is cut on
            // every protocol with ports: more atoms, never fewer.
            let protos: Vec<Protocol> = if r.ip_protocols.is_empty() {
                Protocol::PORTED.to_vec()
            } else {
                r.ip_protocols
                    .iter()
                    .flat_map(|p| match p {
                        FwIpProtocol::Any => Protocol::PORTED.to_vec(),
                        FwIpProtocol::Tcp => vec![Protocol::Tcp],
                        FwIpProtocol::Udp => vec![Protocol::Udp],
                        FwIpProtocol::Icmp => vec![],
                    })
                    .collect()
            };
            for &p in &protos {
                c.set(p, &r.destination_ports);
                if let Some(t) = r.translated_port {
                    c.port(p, t);
                }
            }
            for a in &r.app_protocols {
                c.any(a.port, a.port);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_estate_has_one_atom_per_protocol() {
        let c = port_cuts(&AzureNetwork::default(), &Config::default());
        assert_eq!(c.atoms(Protocol::Tcp).len(), 1);
    }
}
