//! The English of address translations along a path: which public
//! address the Internet sees and why, or why it is not known (the typed
//! `tusk_network::nat` values). Split from `words.rs`, which re-exports
//! [`nat`].

use super::words::{port, private_ranges};
use tusk_model::azure::*;
use tusk_network::decision::{Nat, SnatDoubt, SnatWhy};

fn snat_why(net: &AzureNetwork, w: SnatWhy) -> String {
    match w {
        SnatWhy::Dnat => "DNAT traffic is also source-translated to the firewall".into(),
        SnatWhy::PublicDestination { dst, configured } => {
            format!("SNAT: {dst} is outside {}", private_ranges(configured))
        }
        SnatWhy::NvaSnat => "NVA `snat: true`".into(),
        SnatWhy::ApplicationRule => "application rules always SNAT through the firewall's proxy".into(),
        SnatWhy::FirewallPublicIp => "the firewall's public IP".into(),
        SnatWhy::NicPublicIp => "the NIC's public IP".into(),
        SnatWhy::NatGateway(g) => format!("NAT gateway {}", net.nat_gateways[g].id.name()),
        SnatWhy::LoadBalancer { lb, by } => lb_snat_rule(net, lb, by),
        SnatWhy::AppGateway(g) => format!("application gateway {}'s own connection", net.app_gateways[g].id.name()),
    }
}

/// `load balancer LB, outbound rule R (file:line)`.
fn lb_snat_rule(net: &AzureNetwork, lb: Idx<LoadBalancer>, by: tusk_network::lb::LbSnatBy) -> String {
    use tusk_network::lb::LbSnatBy;
    let l = &net.load_balancers[lb];
    match by {
        LbSnatBy::OutboundRule(i) => {
            let r = &l.outbound_rules[i];
            format!("load balancer {}, outbound rule {} ({})", l.id.name(), r.name, r.loc)
        }
        LbSnatBy::Rule(i) => {
            let r = &l.rules[i];
            format!(
                "load balancer {}, load-balancing rule {} without disableOutboundSnat ({})",
                l.id.name(),
                r.name,
                r.loc
            )
        }
    }
}

fn snat_doubt(net: &AzureNetwork, w: SnatDoubt) -> String {
    match w {
        SnatDoubt::NatGateway(g) => {
            let n = &net.nat_gateways[g];
            format!("NAT gateway {} ({}), whose public addresses the inputs do not give", n.id.name(), n.loc)
        }
        SnatDoubt::LoadBalancer { lb, by } => {
            format!("{}, whose frontends' public addresses are several or not in the inputs", lb_snat_rule(net, lb, by))
        }
    }
}

/// A step's translations in one line (`None` when it made none).
pub fn nat(net: &AzureNetwork, list: &[Nat]) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let restores: Vec<String> = list
        .iter()
        .filter_map(|n| match n {
            Nat::Restore { destination, from, to } => {
                Some(format!("{} {from} → {to}", if *destination { "destination" } else { "source" }))
            }
            _ => None,
        })
        .collect();
    for n in list {
        parts.push(match n {
            Nat::Snat { from, to, why } => format!("SNAT {from} → {to} ({})", snat_why(net, *why)),
            Nat::NoSnat { dst, configured } => format!("no SNAT: {dst} is in {}", private_ranges(*configured)),
            Nat::Dnat { from, from_port, to, to_port } => {
                format!("DNAT {from}:{} → {to}:{}", port(*from_port), port(*to_port))
            }
            Nat::InstancePublicIp { from, to } => format!("DNAT {from} → {to} (instance-level public IP)"),
            Nat::PlatformSnat => "SNAT by Azure outbound connectivity; the public address is not in the inputs".into(),
            Nat::SnatUnknown { from, why } => {
                format!("SNAT {from} → unknown public address (by {})", snat_doubt(net, *why))
            }
            Nat::Restore { .. } => continue,
        });
    }
    if !restores.is_empty() {
        parts.push(format!("un-NAT: {}", restores.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
