//! Azure Bastion hosts (`Microsoft.Network/bastionHosts`, REST API
//! bastionHost.json): where a Bastion sits (its `AzureBastionSubnet`) and
//! the settings that decide which ports and targets it connects to. Plain
//! data; the rules are in `tusk_network::bastion`.

use super::ResourceId;
use tusk_core::Loc;

/// A Bastion host's tier (`sku.name`). Microsoft Learn, "About Bastion
/// configuration settings" (bastion/configuration-settings), SKU table:
/// custom ports, connection by IP address and the native client need
/// Standard or Premium; Developer reaches only its own VNet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BastionSku {
    /// `Developer`: shared infrastructure, the same VNet only, SSH / RDP.
    Developer,
    /// `Basic`: SSH (22) and RDP (3389), the VNet and peered VNets.
    Basic,
    /// `Standard`: custom ports, IP-based connection, native client.
    Standard,
    /// `Premium`: Standard's features and more (session recording,
    /// private-only deployment).
    Premium,
    /// A value tusk could not read (an expression, an unknown tier).
    Unknown(String),
}

/// One Bastion host.
#[derive(Debug, Clone)]
pub struct BastionHost {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// Its tier.
    pub sku: BastionSku,
    /// `ipConfigurations[0].subnet`: its `AzureBastionSubnet` (`None`
    /// when the body does not give it as a literal).
    pub subnet: Option<ResourceId>,
    /// `ipConfigurations[0].publicIPAddress`: the public IP clients reach
    /// it on (a Premium private-only deployment has none; `None` too when
    /// the body does not give it as a literal).
    pub public_ip: Option<ResourceId>,
    /// `enableIpConnect`: connection to a target by IP address (Standard
    /// and Premium); `None` when the value is not known.
    pub ip_connect: Option<bool>,
    /// `enableTunneling`: the native client (`az network bastion ssh /
    /// rdp / tunnel`, Standard and Premium); `None` when not known.
    pub tunneling: Option<bool>,
}
