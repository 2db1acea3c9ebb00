//! The one dynamic private IP a template can know: an Azure Firewall's.
//! `AzureFirewallSubnet` is dedicated to the firewall (Microsoft Learn,
//! "Azure Firewall FAQ": the subnet holds only the firewall), and Azure
//! allocates a dynamic address as "the next available unassigned or
//! unreserved address in the subnet's address range", after the five
//! addresses it reserves in every subnet, the first four being the network
//! address and x.1-x.3 (Microsoft Learn, "Virtual network FAQ", reserved
//! addresses; "IP addressing", allocation methods). The firewall being the
//! only allocation in that subnet, its private IP is the subnet's address
//! + 4. Every use of this rule is reported as a warning.

use super::value::Val;
use crate::doc::{Node, Value};
use std::net::Ipv4Addr;

/// The subnet id of the firewall's first IP configuration, if it has no
/// private address yet.
pub fn firewall_subnet(body: &Val) -> Option<String> {
    let props = obj_get(body, "properties")?;
    let first = match obj_get(props, "ipConfigurations")? {
        Val::Arr(a) => a.first()?.clone(),
        _ => return None,
    };
    let p = obj_get(&first, "properties")?;
    if obj_get(p, "privateIPAddress").is_some() {
        return None;
    }
    obj_get(obj_get(p, "subnet")?, "id")?.as_str().map(str::to_string)
}

fn obj_get<'a>(v: &'a Val, k: &str) -> Option<&'a Val> {
    match v {
        Val::Obj(o) => o.get(k),
        _ => None,
    }
}

/// The firewall's address in `AzureFirewallSubnet` with prefix `prefix`.
pub fn firewall_ip(subnet_id: &str, prefix: &str) -> Option<Ipv4Addr> {
    if !subnet_id.rsplit('/').next()?.eq_ignore_ascii_case("AzureFirewallSubnet") {
        return None;
    }
    let (a, len) = prefix.split_once('/')?;
    let a: Ipv4Addr = a.trim().parse().ok()?;
    let len: u32 = len.trim().parse().ok()?;
    if len > 29 {
        return None;
    }
    let mask = u32::MAX << (32 - len);
    Some(Ipv4Addr::from((u32::from(a) & mask) + 4))
}

/// The address prefix of a subnet among the evaluated resources: the
/// subnet resource itself, or the entry of its VNet's `subnets`.
pub fn subnet_prefix(resources: &super::scope::Shared, subnet_id: &str) -> Option<String> {
    let key = subnet_id.to_ascii_lowercase();
    let prefix_of = |s: &Val| -> Option<String> {
        let p = obj_get(s, "properties").unwrap_or(s);
        match obj_get(p, "addressPrefix") {
            Some(Val::Str(x)) => Some(x.to_string()),
            _ => match obj_get(p, "addressPrefixes") {
                Some(Val::Arr(a)) if a.len() == 1 => a[0].as_str().map(str::to_string),
                _ => None,
            },
        }
    };
    if let Some(s) = resources.resource(&key) {
        return prefix_of(&s);
    }
    let (vnet, name) = key.rsplit_once("/subnets/")?;
    let v = resources.resource(vnet)?;
    match obj_get(obj_get(&v, "properties")?, "subnets")? {
        Val::Arr(items) => items
            .iter()
            .find(|s| obj_get(s, "name").and_then(Val::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .and_then(prefix_of),
        _ => None,
    }
}

/// Writes `privateIPAddress` into the first IP configuration of a body node.
pub fn set_first_private_ip(body: &mut Node, ip: &str) {
    let pos = body.pos;
    let Some(props) = map_get_mut(body, "properties") else { return };
    let Some(cfgs) = map_get_mut(props, "ipConfigurations") else { return };
    let Value::Seq(items) = &mut cfgs.value else { return };
    let Some(first) = items.first_mut() else { return };
    let Some(p) = map_get_mut(first, "properties") else { return };
    if let Value::Map(m) = &mut p.value {
        let text = |t: &str| Node { pos, value: Value::Scalar { text: t.into(), quoted: true } };
        m.push((text("privateIPAddress"), text(ip)));
    }
}

fn map_get_mut<'a>(n: &'a mut Node, k: &str) -> Option<&'a mut Node> {
    match &mut n.value {
        Value::Map(m) => {
            m.iter_mut().find(|(kn, _)| kn.as_str().is_some_and(|s| s.eq_ignore_ascii_case(k))).map(|(_, v)| v)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firewall_takes_the_first_unreserved_address_of_its_subnet() {
        assert_eq!(
            firewall_ip("/x/virtualNetworks/h/subnets/AzureFirewallSubnet", "10.0.1.0/26"),
            Some(Ipv4Addr::new(10, 0, 1, 4))
        );
        assert_eq!(firewall_ip("/x/virtualNetworks/h/subnets/other", "10.0.1.0/26"), None);
    }
}
