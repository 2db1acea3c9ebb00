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
//! Source ports are not cut: a flow's source port is never asked (and a
//! reply is traced without a port).
//!
//! [`port_cuts_toward`] keeps only the rules that may match a flow toward a
//! given set of destination addresses: a rule is left out only when every
//! destination it names is an address, CIDR or range disjoint from the set
//! (a rule matches only flows whose destination it names; tags, ASGs, IP
//! groups, FQDNs and unread values are kept). DNAT and load balancer rules
//! are always kept: they match the frontend address, which the set may not
//! name.

use tusk_core::{IpSet, PortCuts, Protocol};
use tusk_model::azure::{
    AddressMatch, AzureNetwork, CollectionKind, FwIpProtocol, LbProtocol, RuleCollection, RuleProtocol,
};
use tusk_model::config::Config;

/// Every port boundary of `net`'s NSGs, admin rules, firewalls, firewall
/// policies and load balancers, and of `config`'s NVA rules. Cost: one pass
/// over the rules. Never fails.
pub fn port_cuts(net: &AzureNetwork, config: &Config) -> PortCuts {
    port_cuts_toward(net, config, None)
}

/// May a rule naming `dsts` as destinations match a flow toward `toward`?
/// No only when every entry is an address, CIDR or range outside it.
fn may_match(dsts: &[AddressMatch], toward: Option<&IpSet>) -> bool {
    let Some(set) = toward else { return true };
    dsts.is_empty()
        || dsts.iter().any(|d| match d {
            AddressMatch::Prefix(c) => c.set().intersects(set),
            AddressMatch::Range(lo, hi) => IpSet::range(*lo, *hi).intersects(set),
            _ => true,
        })
}

/// [`port_cuts`] restricted to the rules that may match a flow whose
/// destination lies in `toward` (`None`: every rule; see the module doc).
/// Cost: one pass over the rules. Never fails.
pub fn port_cuts_toward(net: &AzureNetwork, config: &Config, toward: Option<&IpSet>) -> PortCuts {
    let mut c = PortCuts::new();
    let nsg = |c: &mut PortCuts, proto: RuleProtocol, ports: &tusk_core::PortSet| match proto {
        RuleProtocol::Any => c.any_set(ports),
        RuleProtocol::Tcp => c.set(Protocol::Tcp, ports),
        RuleProtocol::Udp => c.set(Protocol::Udp, ports),
        // ICMP, ESP and AH carry no ports.
        _ => {}
    };
    for g in &net.nsgs {
        for r in g.rules.iter().filter(|r| may_match(&r.destinations, toward)) {
            nsg(&mut c, r.protocol, &r.destination_ports);
        }
    }
    for r in net.admin_rules.iter().filter(|r| may_match(&r.destinations, toward)) {
        nsg(&mut c, r.protocol, &r.destination_ports);
    }
    for fw in &net.firewalls {
        collections(&mut c, &fw.classic, toward);
    }
    for pol in &net.firewall_policies {
        for g in &pol.groups {
            collections(&mut c, &g.collections, toward);
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
        for r in nva.rules.iter().filter(|r| toward.is_none_or(|t| r.destinations.intersects(t))) {
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

/// The cuts of a firewall's rule collections (DNAT, network, application);
/// DNAT rules are kept whatever `toward` says (they match the frontend).
fn collections(c: &mut PortCuts, cols: &[RuleCollection], toward: Option<&IpSet>) {
    for col in cols {
        let dnat = col.kind == CollectionKind::Dnat;
        for r in col.rules.iter().filter(|r| dnat || may_match(&r.destinations, toward)) {
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

    #[test]
    fn a_rule_toward_other_addresses_only_is_left_out() {
        let cidr = |s: &str| AddressMatch::Prefix(tusk_core::ip::Cidr::parse(s).unwrap());
        let set = |s: &str| tusk_core::ip::Cidr::parse(s).unwrap().set();
        assert!(!may_match(&[cidr("10.2.0.0/16")], Some(&set("10.1.0.0/16"))));
        assert!(may_match(&[cidr("10.2.0.0/16"), cidr("10.1.4.0/24")], Some(&set("10.1.0.0/16"))));
        assert!(may_match(&[AddressMatch::Any], Some(&set("10.1.0.0/16"))));
        assert!(may_match(&[cidr("10.2.0.0/16")], None));
    }
}
