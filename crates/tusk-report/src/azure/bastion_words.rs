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
        BastionWhy::Doubt(BastionDoubt::IpConnectUnknown) => format!(
            "{name}: the target is no VM of its VNet or of a peered VNet, so only IP-based connection reaches it, and whether that is enabled (enableIpConnect, or the tier) is not known"
        ),
    }
}
