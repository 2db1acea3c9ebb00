//! Application gateways (`Microsoft.Network/applicationGateways`) as far
//! as they decide where a flow goes, and their WAF policies
//! (`ApplicationGatewayWebApplicationFirewallPolicies`).
//!
//! "Application Gateway components" (application-gateway/application-gateway-components):
//! a frontend IP (public or private) and a frontend port carry listeners;
//! a request routing rule binds a listener to a backend pool and backend
//! settings (whose port is the port the backends are reached on), directly
//! (`Basic`) or through a URL path map (`PathBasedRouting`). The gateway
//! is a reverse proxy: it ends the client's connection and opens its own
//! to a backend from an address of its own subnet. Sub-resources refer to
//! each other by id; only their last segment (the name) is kept here,
//! since they live inside the one gateway. This module decides nothing.

use super::ResourceId;
use std::net::IpAddr;
use tusk_core::Loc;

/// An application gateway whose listeners the inputs hold.
#[derive(Debug, Clone)]
pub struct AppGateway {
    /// Its Azure resource id.
    pub id: ResourceId,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// `gatewayIPConfigurations[0].subnet.id`: the subnet its instances
    /// take addresses in ("Application Gateway infrastructure
    /// configuration", application-gateway/configuration-infrastructure).
    pub subnet: Option<ResourceId>,
    /// `frontendIPConfigurations`.
    pub frontends: Vec<AppGwFrontend>,
    /// `httpListeners` and `listeners` (TCP/TLS, v2).
    pub listeners: Vec<AppGwListener>,
    /// `requestRoutingRules` and `routingRules` (TCP/TLS, v2).
    pub rules: Vec<AppGwRule>,
    /// `urlPathMaps`.
    pub path_maps: Vec<AppGwPathMap>,
    /// `backendAddressPools`.
    pub pools: Vec<AppGwPool>,
    /// `backendHttpSettingsCollection` and `backendSettingsCollection`: name → port.
    pub settings: Vec<(String, Option<u16>)>,
    /// The gateway's own WAF: `firewallPolicy.id`, else
    /// `webApplicationFirewallConfiguration`.
    pub waf: Waf,
}

/// A frontend IP configuration.
#[derive(Debug, Clone)]
pub struct AppGwFrontend {
    /// Its name.
    pub name: String,
    /// `privateIPAddress`, when private and known.
    pub private_ip: Option<IpAddr>,
    /// `publicIPAddress.id`, when public.
    pub public_ip: Option<ResourceId>,
}

/// A listener: a frontend IP and port, and the host names it answers.
#[derive(Debug, Clone)]
pub struct AppGwListener {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// The frontend IP configuration's name.
    pub frontend: Option<String>,
    /// The frontend port's number (`frontendPorts[].port`); `None` when not known.
    pub port: Option<u16>,
    /// `hostName` / `hostNames` (a multi-site listener); empty for a basic listener.
    pub host_names: Vec<String>,
    /// Its own WAF policy (`firewallPolicy.id`), which wins over the gateway's.
    pub waf_policy: Option<ResourceId>,
}

/// A request routing rule.
#[derive(Debug, Clone)]
pub struct AppGwRule {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// The listener's name.
    pub listener: Option<String>,
    /// Where it sends requests.
    pub target: AppGwTarget,
}

/// Where a routing rule (or a path rule) sends requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppGwTarget {
    /// A backend pool with backend settings (their names).
    Backend {
        /// The pool's name.
        pool: Option<String>,
        /// The backend settings' name.
        settings: Option<String>,
    },
    /// A URL path map (its name): the request's path chooses.
    PathMap(Option<String>),
    /// A redirect configuration: the gateway answers the client itself.
    Redirect,
}

/// A URL path map: path rules, and a default for paths none matches.
#[derive(Debug, Clone)]
pub struct AppGwPathMap {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `defaultBackendAddressPool` / `defaultBackendHttpSettings` (or a default redirect).
    pub default: AppGwTarget,
    /// `pathRules`, in the order the body lists them (the order the
    /// gateway tries them in).
    pub rules: Vec<AppGwPathRule>,
}

/// One path rule of a URL path map: its path patterns and where requests
/// whose path matches one of them go.
#[derive(Debug, Clone)]
pub struct AppGwPathRule {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `paths`: patterns as written (`/images/*`).
    pub paths: Vec<String>,
    /// Its pool and settings, or a redirect.
    pub target: AppGwTarget,
}

/// A backend pool.
#[derive(Debug, Clone)]
pub struct AppGwPool {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `backendAddresses[].ipAddress`.
    pub addresses: Vec<IpAddr>,
    /// `backendAddresses[].fqdn`, lower case.
    pub fqdns: Vec<String>,
    /// `backendIPConfigurations[].id`: NIC ip configurations in the pool.
    pub nic_configs: Vec<ResourceId>,
    /// Entries whose address is not known (not a literal).
    pub unknown_entries: usize,
}

/// A WAF's mode ("Web Application Firewall on Application Gateway",
/// web-application-firewall/ag/ag-overview, "WAF modes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WafMode {
    /// Disabled, or no WAF.
    Off,
    /// Detection: logs matching requests, blocks none.
    Detection,
    /// Prevention: blocks requests that match its rules.
    Prevention,
    /// The mode is not known from the inputs.
    Unknown,
}

/// The WAF that applies to a gateway or a listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waf {
    /// None configured.
    None,
    /// `webApplicationFirewallConfiguration` on the gateway itself.
    Inline(WafMode),
    /// A WAF policy, by id (see [`WafPolicy`]).
    Policy(ResourceId),
}

/// A WAF policy (`ApplicationGatewayWebApplicationFirewallPolicies`):
/// `policySettings.state` and `policySettings.mode`.
#[derive(Debug, Clone)]
pub struct WafPolicy {
    /// Its Azure resource id.
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// Its mode (`Off` when `state` is `Disabled`).
    pub mode: WafMode,
}
