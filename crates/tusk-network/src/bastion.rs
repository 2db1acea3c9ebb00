//! Azure Bastion as the source of a flow: which ports and targets a
//! Bastion host connects to, by its tier and settings. The walk then goes
//! on from an address of its `AzureBastionSubnet` like any flow from that
//! subnet (its outbound NSG and routes, the target's inbound NSGs).
//!
//! Microsoft Learn: "About Bastion configuration settings"
//! (bastion/configuration-settings, the SKU table): every tier connects to
//! Linux VMs over SSH and Windows VMs over RDP; Developer only in its own
//! VNet, Basic and up also in peered VNets; a custom inbound port,
//! connection by IP address and the native client need Standard or
//! Premium. "Configure NSG rules for Azure Bastion" (bastion/bastion-nsg):
//! Bastion reaches the target VMs over their private addresses on 22 and
//! 3389, or on the custom ports opened on them, from its subnet
//! (outbound rule `AllowSshRdpOutbound` to VirtualNetwork). "IP-based
//! connection" (bastion/connect-ip-address): a private address of an
//! Azure, on-premises or other VM, which needs `enableIpConnect`. A
//! session is TCP; Bastion sends nothing else to its targets.
//!
//! Unknown, with the reason: a port other than 22 / 3389 when the tier is
//! not known; a target only IP-based connection reaches when that setting
//! (or the tier) is not known. The instances' addresses are not in the
//! inputs: the endpoint resolver gives one per part of the subnet the
//! controls tell apart ([`crate::members::representatives`]), a group
//! whose verdict holds only when every member's does.

use super::endpoint::{Endpoint, Label, ResolveError, ResourceKind};
use super::{Flow, Kind, Owner, Prepared};
use tusk_core::ip::u128_to_ip;
use tusk_core::Protocol;
use tusk_model::azure::{BastionHost, BastionSku, Idx, Subnet};

/// The ports every tier connects to: SSH and RDP.
pub const SSH_RDP: [u16; 2] = [22, 3389];

/// What a Bastion host says about a flow it would open (index `host` into
/// `bastions`, carried by [`super::Reason::Bastion`]).
#[derive(Debug, Clone, PartialEq)]
pub enum BastionWhy {
    /// It opens the session: the port is one it connects to and the target
    /// one it reaches.
    Connects {
        /// The port (22 and 3389 on every tier; any port on Standard and Premium).
        port: u16,
        /// The target is reached by IP-based connection (not a VM of its
        /// VNet or of a peered VNet).
        by_ip: bool,
    },
    /// Not TCP: Bastion's sessions are SSH and RDP (or a native client
    /// tunnel) over TCP.
    NotTcp,
    /// Its tier connects only to 22 and 3389 (Developer, Basic).
    PortNotOffered,
    /// The target is not a VM of its VNet (Developer) or of a peered VNet,
    /// and IP-based connection is not enabled (or the tier lacks it), or
    /// the target is on the Internet.
    TargetOutOfReach,
    /// A client on the Internet reaches the host's public address on TCP
    /// 443, where Bastion takes browser and native-client sessions
    /// ("Configure NSG rules for Azure Bastion", bastion/bastion-nsg:
    /// ingress from the public Internet on 443; 22 and 3389 need not be
    /// open on AzureBastionSubnet).
    PublicEntry {
        /// The public address.
        dst: std::net::IpAddr,
    },
    /// The client's session reaches the host at `instance`, an address of
    /// its subnet standing for its instances (the inputs do not list them).
    Reached {
        /// The address.
        instance: std::net::IpAddr,
    },
    /// The subnet's inbound NSG answers differently for the addresses that
    /// stand for the instances: which one an instance has decides.
    MixedInstances {
        /// Addresses whose NSG check allowed the session.
        allowed: Vec<std::net::IpAddr>,
        /// The others, with their verdict.
        other: Vec<(std::net::IpAddr, Kind)>,
    },
    /// Not known.
    Doubt(BastionDoubt),
}

/// Why a Bastion host's decision is unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum BastionDoubt {
    /// A port other than 22 / 3389 and a tier (`sku.name`) the inputs do
    /// not give: Standard and Premium connect to it, Developer and Basic not.
    TierUnknown,
    /// The target needs IP-based connection and `enableIpConnect` (or the
    /// tier) is not known.
    IpConnectUnknown,
    /// A flow to the host's public address other than TCP 443: the docs
    /// name no other entry, and say nothing of what Bastion does with it.
    PublicPort,
    /// The NSG of its AzureBastionSubnet lacks rules Azure requires there
    /// (indices into [`crate::bastion_nsg::REQUIRED`]): Azure refuses the
    /// association (`NetworkSecurityGroupNotCompliantForAzureBastionSubnet`),
    /// so the estate as given is not one Azure deploys.
    NsgNotCompliant {
        /// The NSG.
        nsg: Idx<tusk_model::azure::Nsg>,
        /// The required rules it lacks.
        missing: Vec<usize>,
    },
}

/// The Bastion host whose public IP resource has address `ip`.
pub fn public_entry(p: &Prepared, ip: std::net::IpAddr) -> Option<Idx<BastionHost>> {
    let net = p.net;
    Idx::all(&net.bastions).find(|&b| {
        net.bastions[b]
            .public_ip
            .as_ref()
            .is_some_and(|id| net.public_ips.iter().any(|x| x.id.key() == id.key() && x.address == Some(ip)))
    })
}

/// The NSG of Bastion host `b`'s subnet and the required rules it lacks
/// ([`crate::bastion_nsg::missing`]), when it lacks any.
pub fn nsg_not_compliant(p: &Prepared, b: Idx<BastionHost>) -> Option<BastionDoubt> {
    let s = subnet(p, b)?;
    let nsg = p.net.subnets[s].nsg.as_ref()?.found()?;
    let missing = crate::bastion_nsg::missing(&p.net.nsgs[nsg]);
    (!missing.is_empty()).then_some(BastionDoubt::NsgNotCompliant { nsg, missing })
}

/// The subnet of Bastion host `b`, when the inputs hold it.
pub fn subnet(p: &Prepared, b: Idx<BastionHost>) -> Option<Idx<Subnet>> {
    let key = p.net.bastions[b].subnet.as_ref()?.key();
    Idx::all(&p.net.subnets).find(|&s| p.net.subnets[s].id.key() == key)
}

/// The addresses standing for Bastion host `b`'s instances: one per part
/// of its subnet's usable addresses (Azure reserves the first four and the
/// last) that the controls tell apart, skipping owned addresses; what
/// `--from BASTION-NAME` resolves to.
///
/// # Errors
///
/// [`ResolveError::NoAddressOf`] when its subnet is not in the inputs (a
/// Developer tier host has none) or has no free usable address.
pub fn instance_endpoints(p: &Prepared, b: Idx<BastionHost>) -> Result<Vec<Endpoint>, ResolveError> {
    let none =
        || ResolveError::NoAddressOf { kind: ResourceKind::Bastion, name: p.net.bastions[b].id.name().to_string() };
    let s = subnet(p, b).ok_or_else(none)?;
    let owned = |a: u128| p.private.contains_key(&u128_to_ip(a));
    let mut members = Vec::new();
    for c in &p.net.subnets[s].prefixes {
        let r = c.range();
        for a in
            crate::members::representatives(p.address_cuts(), r.lo.saturating_add(4), r.hi.saturating_sub(1), owned)
        {
            members.push(Endpoint::Azure { ip: u128_to_ip(a), subnet: s, owner: None, label: Label::Bastion(b) });
        }
    }
    if members.is_empty() {
        return Err(none());
    }
    Ok(members)
}

/// Does Bastion host `b` open `flow` to `target`? The verdict of the
/// Bastion step, with its reason.
pub fn decide(p: &Prepared, b: Idx<BastionHost>, target: &Endpoint, flow: &Flow) -> (Kind, BastionWhy) {
    let host = &p.net.bastions[b];
    if flow.proto != Protocol::Tcp {
        return (Kind::Denied, BastionWhy::NotTcp);
    }
    let Some(port) = flow.port else { return (Kind::Denied, BastionWhy::NotTcp) };
    let custom = match &host.sku {
        BastionSku::Standard | BastionSku::Premium => Some(true),
        BastionSku::Developer | BastionSku::Basic => Some(false),
        BastionSku::Unknown(_) => None,
    };
    let port_kind = match (SSH_RDP.contains(&port), custom) {
        (true, _) | (false, Some(true)) => Kind::Allowed,
        (false, Some(false)) => return (Kind::Denied, BastionWhy::PortNotOffered),
        (false, None) => Kind::Unknown,
    };
    let ip_connect = match custom {
        Some(false) => Some(false),
        Some(true) => host.ip_connect,
        None => None,
    };
    let by_vm = vm_in_reach(p, b, target);
    let (target_kind, by_ip) = match (by_vm, ip_connect, target) {
        (_, _, Endpoint::Internet { .. }) => return (Kind::Denied, BastionWhy::TargetOutOfReach),
        (true, ..) => (Kind::Allowed, false),
        (false, Some(true), _) => (Kind::Allowed, true),
        (false, Some(false), _) => return (Kind::Denied, BastionWhy::TargetOutOfReach),
        (false, None, _) => (Kind::Unknown, true),
    };
    match (port_kind, target_kind) {
        (Kind::Allowed, Kind::Allowed) => (Kind::Allowed, BastionWhy::Connects { port, by_ip }),
        (Kind::Unknown, _) => (Kind::Unknown, BastionWhy::Doubt(BastionDoubt::TierUnknown)),
        _ => (Kind::Unknown, BastionWhy::Doubt(BastionDoubt::IpConnectUnknown)),
    }
}

/// Is `target` a VM's NIC in the Bastion's VNet, or (any tier but
/// Developer) in a VNet peered with it?
fn vm_in_reach(p: &Prepared, b: Idx<BastionHost>, target: &Endpoint) -> bool {
    let Endpoint::Azure { subnet: t, owner: Some(Owner::Nic(..)), .. } = target else { return false };
    let Some(s) = subnet(p, b) else { return false };
    let (bv, tv) = (p.net.subnets[s].vnet, p.net.subnets[*t].vnet);
    if bv == tv {
        return true;
    }
    p.net.bastions[b].sku != BastionSku::Developer && p.peering(bv, tv).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{resolve, resolve_group, Label, Sample};
    use crate::testutil::{net, nsg, prep, vnet, SUB};
    use crate::trace::trace;
    use tusk_core::{FlowEnd, GroupKind};

    fn nic(name: &str, v: &str, s: &str, ip: &str) -> String {
        format!(
            r#"{{"name": "{name}", "id": "{SUB}/networkInterfaces/{name}", "type": "Microsoft.Network/networkInterfaces", "ipConfigurations": [{{"name": "c", "privateIPAddress": "{ip}", "subnet": {{"id": "{SUB}/virtualNetworks/{v}/subnets/{s}"}}}}]}}"#
        )
    }

    fn host(name: &str, v: &str, sku: &str, ip_connect: &str) -> String {
        format!(
            r#"{{"name": "{name}", "id": "{SUB}/bastionHosts/{name}", "type": "Microsoft.Network/bastionHosts", "sku": {{"name": "{sku}"}}, "enableIpConnect": {ip_connect}, "ipConfigurations": [{{"name": "c", "subnet": {{"id": "{SUB}/virtualNetworks/{v}/subnets/AzureBastionSubnet"}}}}]}}"#
        )
    }

    /// Hub with AzureBastionSubnet 10.0.0.0/26 and a VM subnet whose NSG
    /// admits SSH from `ssh_from` only; an unpeered island VNet.
    fn estate(sku: &str, ip_connect: &str, ssh_from: &str) -> tusk_model::azure::AzureNetwork {
        let allow = format!(
            r#"{{"name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "{ssh_from}", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}}"#
        );
        let deny = r#"{"name": "deny", "priority": 4000, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}"#;
        net(&[
            nsg("nsg-vms", &[&allow, deny]),
            vnet(
                "hub",
                "10.0.0.0/16",
                &[("AzureBastionSubnet", "10.0.0.0/26", None, None), ("vms", "10.0.1.0/24", Some("nsg-vms"), None)],
                &[],
            ),
            vnet("island", "10.2.0.0/16", &[("vms", "10.2.1.0/24", None, None)], &[]),
            nic("vm", "hub", "vms", "10.0.1.4"),
            nic("far", "island", "vms", "10.2.1.4"),
            host("bas", "hub", sku, ip_connect),
        ])
    }

    fn flow(port: u16) -> Flow {
        Flow {
            src: "10.0.0.4".parse().unwrap(),
            dst: "10.0.1.4".parse().unwrap(),
            proto: Protocol::Tcp,
            port: Some(port),
        }
    }

    #[test]
    fn the_tier_decides_the_ports_and_ip_connect_the_targets() {
        let kind = |sku: &str, ipc: &str, to: &str, port: u16| {
            let n = estate(sku, ipc, "10.0.0.0/26");
            let p = prep(&n);
            let t = resolve(&p, to).unwrap();
            decide(&p, Idx::new(0), &t, &flow(port))
        };
        assert_eq!(kind("Basic", "false", "vm", 22).0, Kind::Allowed);
        assert_eq!(kind("Basic", "false", "vm", 8022), (Kind::Denied, BastionWhy::PortNotOffered));
        assert_eq!(kind("Standard", "false", "vm", 8022).0, Kind::Allowed);
        assert_eq!(kind("Premium", "false", "vm", 3389).0, Kind::Allowed);
        // A tier tusk cannot read: SSH and RDP pass on every tier, other
        // ports are unknown, never guessed.
        assert_eq!(kind("[parameters('sku')]", "false", "vm", 22).0, Kind::Allowed);
        assert_eq!(
            kind("[parameters('sku')]", "false", "vm", 8022),
            (Kind::Unknown, BastionWhy::Doubt(BastionDoubt::TierUnknown))
        );
        // An unpeered VNet: only IP-based connection reaches it.
        assert_eq!(kind("Basic", "true", "far", 22), (Kind::Denied, BastionWhy::TargetOutOfReach));
        assert_eq!(kind("Standard", "false", "far", 22), (Kind::Denied, BastionWhy::TargetOutOfReach));
        assert_eq!(
            kind("Standard", "true", "far", 22),
            (Kind::Allowed, BastionWhy::Connects { port: 22, by_ip: true })
        );
        assert_eq!(kind("Standard", r#""[parameters('ipc')]""#, "far", 22).0, Kind::Unknown);
        assert_eq!(kind("Standard", "true", "internet:8.8.8.8", 22).1, BastionWhy::TargetOutOfReach);
        let mut udp = flow(22);
        udp.proto = Protocol::Udp;
        let n = estate("Basic", "false", "10.0.0.0/26");
        let p = prep(&n);
        assert_eq!(decide(&p, Idx::new(0), &resolve(&p, "vm").unwrap(), &udp).1, BastionWhy::NotTcp);
    }

    #[test]
    fn a_trace_from_the_bastion_starts_with_its_decision_then_its_subnet() {
        let n = estate("Basic", "false", "10.0.0.0/26");
        let p = prep(&n);
        let from = resolve(&p, "bas").unwrap();
        assert!(matches!(from, Endpoint::Azure { label: Label::Bastion(b), .. } if b.index() == 0));
        let t = trace(&p, &from, &resolve(&p, "vm").unwrap(), flow(22));
        assert_eq!(t.verdict, Kind::Allowed);
        assert_eq!(t.forward.steps[0].control, crate::path::Control::Bastion);
        let t = trace(&p, &from, &resolve(&p, "vm").unwrap(), flow(8022));
        assert_eq!(t.verdict, Kind::Denied);
        assert_eq!(t.forward.steps.len(), 1);
    }

    #[test]
    fn a_rule_that_splits_the_bastion_subnet_makes_the_bastion_mixed() {
        // The VMs admit SSH from the lower half of AzureBastionSubnet only:
        // the instances' addresses are not in the inputs, so the Bastion
        // stands for one address per half, and the group verdict is mixed.
        let n = estate("Basic", "false", "10.0.0.0/27");
        let p = prep(&n);
        let g = resolve_group(&p, &FlowEnd::parse("bas").unwrap()).unwrap();
        assert_eq!(g.sample, Some(Sample::BastionInstances));
        let ips: Vec<String> = g.members.iter().map(|m| m.ip().to_string()).collect();
        assert_eq!(ips, ["10.0.0.4", "10.0.0.32"]);
        let to = resolve_group(&p, &FlowEnd::parse("vm").unwrap()).unwrap();
        let gt = crate::group_trace::trace_group(&p, &g, &to, Protocol::Tcp, Some(22), Default::default());
        assert_eq!(gt.verdict, GroupKind::Mixed);
        // Without the split, one address stands for the whole subnet.
        let n = estate("Basic", "false", "10.0.0.0/26");
        let p = prep(&n);
        assert_eq!(resolve_group(&p, &FlowEnd::parse("bas").unwrap()).unwrap().members.len(), 1);
    }
}
