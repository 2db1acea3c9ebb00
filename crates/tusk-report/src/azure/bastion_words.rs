//! The English of Azure Bastion steps (the typed `tusk_network::bastion`
//! values): the session a Bastion host opens, or why it does not, or why
//! that is unknown.

use tusk_model::azure::{AzureNetwork, BastionHost, BastionSku, Idx};
use tusk_network::bastion::{BastionDoubt, BastionWhy};

fn tier(s: &BastionSku) -> String {
    match s {
        BastionSku::Developer => "Developer".into(),
        BastionSku::Basic => "Basic".into(),
        BastionSku::Standard => "Standard".into(),
        BastionSku::Premium => "Premium".into(),
        BastionSku::Unknown(v) => format!("`{v}` (not known)"),
    }
}

/// One required rule of the docs' table, as the docs write it.
fn required(q: &tusk_network::bastion_nsg::Required) -> String {
    let dir = match q.direction {
        tusk_model::azure::Direction::Inbound => "inbound",
        tusk_model::azure::Direction::Outbound => "outbound",
    };
    let ports: Vec<String> = q.ports.iter().map(u16::to_string).collect();
    format!(
        "{} ({dir} {} {} from {} to {})",
        q.name,
        if q.tcp { "TCP" } else { "any protocol" },
        ports.join(", "),
        q.source.unwrap_or("*"),
        q.destination.unwrap_or("*")
    )
}

/// The sentence of a Bastion step.
pub fn why(net: &AzureNetwork, host: Idx<BastionHost>, what: &BastionWhy) -> String {
    let b = &net.bastions[host];
    let name = format!("Azure Bastion {} ({}, tier {})", b.id.name(), b.loc, tier(&b.sku));
    match what {
        BastionWhy::Connects { port, by_ip: false } => format!(
            "{name} opens a session to the VM on port {port} from its subnet (SSH / RDP on 22 and 3389 on every tier, other ports on Standard and Premium; bastion/configuration-settings)"
        ),
        BastionWhy::Connects { port, by_ip: true } => format!(
            "{name} opens a session to the address on port {port} by IP-based connection (enableIpConnect; bastion/connect-ip-address)"
        ),
        BastionWhy::NotTcp => format!("{name} opens only TCP sessions (SSH, RDP, native client tunnels): it sends nothing else"),
        BastionWhy::PortNotOffered => format!(
            "{name} connects only to ports 22 (SSH) and 3389 (RDP) on this tier; custom ports need Standard or Premium (bastion/configuration-settings)"
        ),
        BastionWhy::TargetOutOfReach => format!(
            "{name} does not reach this target: it connects to VMs of its VNet{} and, by IP-based connection (Standard or Premium with enableIpConnect, not set here), to other private addresses; never to the Internet",
            if b.sku == BastionSku::Developer { "" } else { " and of peered VNets" }
        ),
        BastionWhy::Doubt(BastionDoubt::TierUnknown) => format!(
            "{name}: the port is neither 22 nor 3389, and the tier the inputs give is not known: Standard and Premium connect to it, Developer and Basic do not"
        ),
        BastionWhy::PublicEntry { dst } => format!(
            "{dst} is the public address of {name}, which takes clients' sessions (browser or native client) on TCP 443 (bastion/bastion-nsg)"
        ),
        BastionWhy::Reached { instance } => format!(
            "the session reaches {name} at {instance}, an address of its subnet (its instances take addresses the inputs do not list; one address per part of the subnet the rules tell apart stands for them)"
        ),
        BastionWhy::MixedInstances { allowed, other } => {
            let ips = |l: &mut dyn Iterator<Item = String>| l.collect::<Vec<_>>().join(", ");
            let ok = ips(&mut allowed.iter().map(|a| a.to_string()));
            let no = ips(&mut other.iter().map(|(a, k)| format!("{a} {}", k.name())));
            format!(
                "mixed: the inbound NSG of {name}'s subnet tells the addresses its instances may take apart: allowed at {}; {no}",
                if ok.is_empty() { "none of them".to_string() } else { ok }
            )
        }
        BastionWhy::Doubt(BastionDoubt::PublicPort) => format!(
            "{name}: its public address takes sessions on TCP 443; the docs name no other entry and do not say what it does with this flow"
        ),
        BastionWhy::Doubt(BastionDoubt::NsgNotCompliant { nsg, missing }) => {
            let g = &net.nsgs[*nsg];
            let rules: Vec<String> = missing.iter().map(|&i| required(&tusk_network::bastion_nsg::REQUIRED[i])).collect();
            format!(
                "{name}: NSG {} ({}) on its AzureBastionSubnet lacks rules Azure requires there: {}. Azure refuses to associate such an NSG with the subnet (error NetworkSecurityGroupNotCompliantForAzureBastionSubnet; bastion/bastion-nsg), so the inputs describe an estate Azure does not deploy, and what happens to the flow is unknown",
                g.id.name(),
                g.loc,
                rules.join("; ")
            )
        }
        BastionWhy::Doubt(BastionDoubt::IpConnectUnknown) => format!(
            "{name}: the target is no VM of its VNet or of a peered VNet, so only IP-based connection reaches it, and whether that is enabled (enableIpConnect, or the tier) is not known"
        ),
    }
}
