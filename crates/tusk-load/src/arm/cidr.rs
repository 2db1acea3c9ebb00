//! The CIDR functions of ARM templates (Microsoft Learn, "CIDR functions
//! for ARM templates"): `cidrSubnet`, `cidrHost`, `parseCidr`. Arguments out
//! of range give unknown values, never a panic.

use super::value::Val;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn parse_net(n: &str) -> Option<(IpAddr, u8)> {
    let (a, l) = n.split_once('/')?;
    let a: IpAddr = a.trim().parse().ok()?;
    let l: u8 = l.trim().parse().ok()?;
    let max = if a.is_ipv4() { 32 } else { 128 };
    (l <= max).then_some((a, l))
}

fn v4_range(a: Ipv4Addr, len: u8) -> (u32, u32) {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len as u32) };
    let net = u32::from(a) & mask;
    (net, net | !mask)
}

/// `cidrSubnet(network, newCIDR, index)` (ARM CIDR functions).
pub fn cidr_subnet(n: &str, new: i64, k: i64) -> Val {
    match parse_net(n) {
        Some((IpAddr::V4(a), len)) if (len as i64..=32).contains(&new) && k >= 0 && k < 1i64 << (new - len as i64) => {
            let (net, _) = v4_range(a, len);
            let sub = net as u64 + ((k as u64) << (32 - new));
            Val::str(format!("{}/{new}", Ipv4Addr::from(sub as u32)))
        }
        Some((IpAddr::V6(a), len)) if (len as i64..=128).contains(&new) && k >= 0 && (new - len as i64) < 63 => {
            let base = u128::from(a) & if len == 0 { 0 } else { u128::MAX << (128 - len as u32) };
            let sub = base.wrapping_add((k as u128).checked_shl(128 - new as u32).unwrap_or(0));
            Val::str(format!("{}/{new}", Ipv6Addr::from(sub)))
        }
        _ => Val::unknown(format!("cidrSubnet(): cannot split `{n}` into /{new} number {k}")),
    }
}

/// `cidrHost(network, index)`: the index-th usable address; for IPv4 the
/// network address itself is not usable (parseCidr's `firstUsable`).
pub fn cidr_host(n: &str, k: i64) -> Val {
    match parse_net(n) {
        Some((IpAddr::V4(a), len)) => {
            let (net, bc) = v4_range(a, len);
            if k < 0 || k > u32::MAX as i64 || net as u64 + 1 + k as u64 >= bc as u64 {
                return Val::unknown(format!("cidrHost(): host {k} is outside `{n}`"));
            }
            Val::str(Ipv4Addr::from((net as u64 + 1 + k as u64) as u32).to_string())
        }
        Some((IpAddr::V6(a), len)) if k >= 0 => {
            let base = u128::from(a) & if len == 0 { 0 } else { u128::MAX << (128 - len as u32) };
            Val::str(Ipv6Addr::from(base.wrapping_add(k as u128)).to_string())
        }
        _ => Val::unknown(format!("cidrHost(): `{n}` is not a CIDR")),
    }
}

pub fn parse_cidr(n: &str) -> Val {
    match parse_net(n) {
        Some((IpAddr::V4(a), len)) if len <= 32 => {
            let (net, bc) = v4_range(a, len);
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len as u32) };
            let ip = |x: u32| Val::str(Ipv4Addr::from(x).to_string());
            Val::obj(vec![
                ("network".into(), ip(net)),
                ("netmask".into(), ip(mask)),
                ("broadcast".into(), ip(bc)),
                ("firstUsable".into(), ip(net.saturating_add(1).min(bc))),
                ("lastUsable".into(), ip(bc.saturating_sub(1).max(net))),
                ("cidr".into(), Val::Int(len as i64)),
            ])
        }
        _ => Val::unknown(format!("parseCidr(): `{n}` is not an IPv4 CIDR tusk evaluates")),
    }
}
