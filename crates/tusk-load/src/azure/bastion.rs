//! Azure Bastion hosts (REST API bastionHost.json; `az network bastion
//! show` prints the same body, flattened): the tier (`sku.name`), the
//! subnet and public IP of `ipConfigurations[0]`, and the settings that widen what a
//! Bastion reaches (`enableIpConnect`, `enableTunneling`). A value tusk
//! cannot read (an ARM expression) is unknown, with a warning; an absent
//! setting is Azure's default (false). An absent tier is not guessed: it
//! stays unknown (the engine then decides only what every tier agrees on).

use super::cx::Cx;
use super::shape::prop;
use crate::doc::Node;
use tusk_model::azure::{BastionHost, BastionSku, ResourceId};

/// The tier named `s` (case-insensitive, as Azure reads it).
fn sku(s: &str) -> BastionSku {
    match s.to_ascii_lowercase().as_str() {
        "developer" => BastionSku::Developer,
        "basic" => BastionSku::Basic,
        "standard" => BastionSku::Standard,
        "premium" => BastionSku::Premium,
        _ => BastionSku::Unknown(s.to_string()),
    }
}

/// A boolean setting: its value, `false` when absent (Azure's default),
/// `None` when it is not a literal boolean (with a warning).
fn flag(cx: &mut Cx, n: &Node, key: &str) -> Option<bool> {
    let Some(v) = prop(n, key) else { return Some(false) };
    if let Some(b) = v.as_bool() {
        return Some(b);
    }
    if let Some(s) = cx.literal(v) {
        match s.to_ascii_lowercase().as_str() {
            "true" => return Some(true),
            "false" => return Some(false),
            _ => cx.warn(v, format!("`{key}` is `{s}`, not a boolean: the Bastion's setting is unknown")),
        }
    }
    None
}

/// One `Microsoft.Network/bastionHosts` body.
pub fn host(cx: &mut Cx, id: ResourceId, n: &Node) -> BastionHost {
    let sku = match n.get_ci("sku").or_else(|| prop(n, "sku")).and_then(|s| s.get_ci("name")) {
        Some(v) => match cx.literal(v) {
            Some(s) => sku(s),
            None => BastionSku::Unknown(v.as_str().unwrap_or("?").to_string()),
        },
        None => BastionSku::Unknown("absent".to_string()),
    };
    let configs = prop(n, "ipConfigurations").and_then(Node::as_seq).unwrap_or_default();
    let subnet = configs
        .iter()
        .find_map(|c| prop(c, "subnet").and_then(|s| s.get_ci("id")).and_then(|v| cx.literal(v)).map(ResourceId::new));
    let public_ip = configs.iter().find_map(|c| {
        prop(c, "publicIPAddress").and_then(|s| s.get_ci("id")).and_then(|v| cx.literal(v)).map(ResourceId::new)
    });
    BastionHost {
        id,
        loc: cx.loc(n),
        sku,
        subnet,
        public_ip,
        ip_connect: flag(cx, n, "enableIpConnect"),
        tunneling: flag(cx, n, "enableTunneling"),
    }
}
