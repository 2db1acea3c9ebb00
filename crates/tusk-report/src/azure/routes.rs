//! `tusk routes`: a subnet's effective routes in Network Watcher's columns
//! (source, state, address prefix, next hop type, next hop IP), plus the
//! route's name and source line. JSON (`-o json`): one object
//! `{"schema": "tusk.routes/v1", "subnet": "VNET/SUBNET", "routes": [...]}`,
//! each route an object with the keys `source`, `state`, `prefix`,
//! `nextHopType`, `nextHopIp`, `name`, `location`, `note`.

use super::words;
use serde::Serialize;
use std::fmt::Write;
use std::io;
use tusk_model::azure::AzureNetwork;
use tusk_network::routes::{EffectiveRoutes, RouteState};

/// One effective route as a JSON object (see the module documentation).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteJson {
    /// Who made the route: `Default`, `User`, `VirtualNetworkGateway`, ...
    pub source: &'static str,
    /// `Active`, or `Invalid` for a system route a user or BGP route overrides
    /// (Network Watcher's "Effective routes" column).
    pub state: &'static str,
    /// The address prefix, as a CIDR.
    pub prefix: String,
    /// Network Watcher's next hop type (`VnetLocal`, `VirtualAppliance`, ...).
    pub next_hop_type: &'static str,
    /// The next hop's address, for a virtual appliance.
    pub next_hop_ip: Option<String>,
    /// The route's name, or where the system route comes from.
    pub name: String,
    /// `file:line:col` of the route, or `<builtin:…>` for system routes.
    pub location: String,
    /// Why the route is read other than as written, when it is.
    pub note: Option<String>,
}

fn state(s: RouteState) -> &'static str {
    match s {
        RouteState::Active => "Active",
        RouteState::Invalid => "Invalid",
    }
}

/// The routes of `r` as JSON rows, in the order of `r`.
pub fn view(net: &AzureNetwork, r: &EffectiveRoutes) -> Vec<RouteJson> {
    r.routes
        .iter()
        .map(|e| RouteJson {
            source: e.source.name(),
            state: state(e.state),
            prefix: e.prefix.to_string(),
            next_hop_type: e.next_hop.name(),
            next_hop_ip: e.next_hop_ip.map(|i| i.to_string()),
            name: words::route_origin(net, &e.origin),
            location: e.loc.to_string(),
            note: e.note.as_ref().map(words::route_note),
        })
        .collect()
}

/// The routes of `subnet` (`VNET/SUBNET`) as a table in Network Watcher's
/// columns, then the service-tag routes whose ranges are not in the inputs.
pub fn render_text(net: &AzureNetwork, subnet: &str, r: &EffectiveRoutes) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "effective routes of subnet {subnet}:");
    // `VirtualNetworkServiceEndpoint` is wider than the other hop types.
    let hop = r.routes.iter().map(|e| e.next_hop.name().len()).max().unwrap_or(0).max(22);
    let _ = writeln!(
        s,
        "{:<22} {:<8} {:<20} {:<hop$} {:<16} NAME / SOURCE LINE",
        "SOURCE", "STATE", "PREFIX", "NEXT HOP TYPE", "NEXT HOP IP"
    );
    for e in &r.routes {
        let _ = writeln!(
            s,
            "{:<22} {:<8} {:<20} {:<hop$} {:<16} {} ({}){}",
            e.source.name(),
            state(e.state),
            e.prefix.to_string(),
            e.next_hop.name(),
            e.next_hop_ip.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
            words::route_origin(net, &e.origin),
            e.loc,
            e.note.as_ref().map(|n| format!(" — {}", words::route_note(n))).unwrap_or_default()
        );
    }
    for (name, tag, loc) in &r.tag_routes {
        let _ = writeln!(s, "User (service tag {tag}: ranges not in the inputs) route `{name}` ({loc})");
    }
    s
}

/// The `schema` of the routes document.
pub const SCHEMA: &str = "tusk.routes/v1";

/// The `tusk.routes/v1` document.
#[derive(Serialize)]
pub struct RoutesJson<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The subnet, `VNET/SUBNET`.
    pub subnet: &'a str,
    /// Its effective routes.
    pub routes: Vec<RouteJson>,
}

/// Writes the routes document of `subnet` (`VNET/SUBNET`).
pub fn write_json(w: &mut dyn io::Write, net: &AzureNetwork, subnet: &str, r: &EffectiveRoutes) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &RoutesJson { schema: SCHEMA, subnet, routes: view(net, r) })?;
    w.write_all(b"\n")
}
