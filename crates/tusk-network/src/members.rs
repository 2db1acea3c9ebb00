//! The members of a subnet, grouped by what the controls can tell apart, so
//! that `reach` answers for every NIC of a subnet by evaluating one NIC per
//! group (issue 8, A8: a verdict about a group must hold for every member).
//!
//! Two NICs of one subnet are treated alike by every control when they have
//! the same NIC-level NSG, the same application security groups, the same
//! IP forwarding setting and NVA rules, and addresses that no address test
//! of the estate separates: NSG, admin and firewall rule prefixes and
//! ranges, DNAT targets, the `VirtualNetwork` tag of each VNet, the public /
//! private split behind `Internet` and Azure service tags, route prefixes
//! and next hops, VNet and on-premises address spaces, firewall private
//! ranges and NVA rule sets. The address part is computed by cutting the
//! address line at every boundary of those sets: two addresses between the
//! same two cuts match every one of those tests the same way. A subnet
//! without NICs keeps one stand-in per cell of its usable addresses (Azure
//! reserves the first four): [`representatives`], which also picks the
//! addresses that stand for an application gateway's instances and for
//! the free addresses of an endpoint group, so that no single sample
//! passes its verdict off as that of addresses a rule tells apart.

use super::index::{non_public, Owner};
use super::prepared::Prepared;
use std::collections::HashMap;
use std::net::IpAddr;
use tusk_core::ip::{ip_to_u128, u128_to_ip, Cidr};
use tusk_core::IpSet;
use tusk_model::azure::{AddressMatch, Asg, Idx, Link, Nsg, RouteDestination, Subnet};

/// A class of NICs (or the stand-in of a NIC-less subnet) that every
/// control treats alike: `members` are its addresses with their owners, the
/// lowest address first; the first member represents the class.
#[derive(Debug, Clone)]
pub struct Class {
    /// The subnet.
    pub subnet: Idx<Subnet>,
    /// Its addresses with what holds them (`None`: a NIC-less subnet's stand-in).
    pub members: Vec<(IpAddr, Option<Owner>)>,
}

/// What the controls can see of one NIC address: the subnet, the NIC's
/// NSG, its sorted ASGs, IP forwarding, whether it carries NVA rules or a
/// public IP, and the address's cell between two cuts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    subnet: Idx<Subnet>,
    nsg: Option<Option<Idx<Nsg>>>,
    asgs: Vec<Option<Idx<Asg>>>,
    forwarding: bool,
    nva: bool,
    public_ip: bool,
    cell: usize,
}

/// The classes of every subnet, in subnet order, each subnet's classes in
/// order of their lowest address.
pub fn classes(p: &Prepared) -> Vec<Class> {
    let cuts = p.address_cuts();
    let cell = |ip: IpAddr| cuts.partition_point(|&c| c <= ip_to_u128(ip));
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut out: Vec<Class> = Vec::new();
    let link = |l: &Option<Link<Nsg>>| l.as_ref().map(Link::found);
    for (n, nic) in Idx::enumerate(&p.net.nics) {
        for (c, ipc) in nic.ip_configs.iter().enumerate() {
            let (Some(ip), Some(Link::Found(s))) = (ipc.private_ip, &ipc.subnet) else { continue };
            let mut asgs: Vec<Option<Idx<Asg>>> = ipc.asgs.iter().map(Link::found).collect();
            asgs.sort_unstable();
            asgs.dedup();
            let key = Key {
                subnet: *s,
                nsg: link(&nic.nsg),
                asgs,
                forwarding: nic.ip_forwarding,
                nva: p.nva(n).is_some(),
                public_ip: ipc.public_ip.is_some(),
                cell: cell(ip),
            };
            let k = *index.entry(key).or_insert_with(|| {
                out.push(Class { subnet: *s, members: Vec::new() });
                out.len() - 1
            });
            out[k].members.push((ip, Some(Owner::Nic(n, c))));
        }
    }
    for c in &mut out {
        c.members.sort_by_key(|(ip, _)| ip_to_u128(*ip));
    }
    let mut has_nic = vec![false; p.net.subnets.len()];
    for c in &out {
        has_nic[c.subnet.index()] = true;
    }
    for (s, sn) in Idx::enumerate(&p.net.subnets) {
        if has_nic[s.index()] {
            continue;
        }
        // One stand-in per cell: a rule that splits the empty subnet makes
        // the subnet's verdict mixed instead of the first address's.
        for c in &sn.prefixes {
            let r = c.range();
            // Azure reserves the first four addresses and the last of each
            // prefix ("Are there any restrictions on using IP addresses
            // within these subnets?", Virtual Network FAQ).
            let mut reps = representatives(cuts, r.lo.saturating_add(4), r.hi.saturating_sub(1), |_| false);
            // A prefix too small for a usable address keeps its fifth, as before.
            if reps.is_empty() {
                reps.push(r.lo.saturating_add(4));
            }
            for ip in reps {
                out.push(Class { subnet: s, members: vec![(u128_to_ip(ip), None)] });
            }
        }
    }
    out.sort_by_key(|c| (c.subnet, ip_to_u128(c.members[0].0)));
    out
}

/// One address per cell of `lo..=hi` (cells as cut by `cuts`, which
/// [`Prepared::address_cuts`] gives): the first address of each part of
/// the range between two cuts that `skip` does not reject, in address
/// order. Every control tests two addresses of one part alike (see the
/// module documentation), so a verdict computed for each returned address
/// holds for every address of the range that `skip` lets through; an
/// empty range (`lo > hi`) gives none. Cost: one step per cut inside the
/// range plus one per skipped address.
pub fn representatives(cuts: &[u128], lo: u128, hi: u128, skip: impl Fn(u128) -> bool) -> Vec<u128> {
    let mut out = Vec::new();
    if lo > hi {
        return out;
    }
    let mut start = lo;
    let mut next = cuts.partition_point(|&c| c <= lo);
    loop {
        let end = match cuts.get(next) {
            Some(&c) if c <= hi => c - 1,
            _ => hi,
        };
        if let Some(a) = (start..=end).find(|&a| !skip(a)) {
            out.push(a);
        }
        if end == hi {
            return out;
        }
        start = end + 1;
        next += 1;
    }
}

/// Every boundary of the address sets the controls test, as the first
/// address of each cell, sorted (callers use the copy
/// [`Prepared::address_cuts`] keeps).
pub(crate) fn cuts(p: &Prepared) -> Vec<u128> {
    let net = p.net;
    let mut v: Vec<u128> = Vec::new();
    let mut range = |lo: u128, hi: u128| {
        v.push(lo);
        v.push(hi.saturating_add(1));
    };
    let set = |s: &IpSet, range: &mut dyn FnMut(u128, u128)| {
        for &(lo, hi) in s.ranges() {
            range(lo, hi);
        }
    };
    let cidr = |c: &Cidr, range: &mut dyn FnMut(u128, u128)| range(c.range().lo, c.range().hi);
    let matches = |list: &[AddressMatch], range: &mut dyn FnMut(u128, u128)| {
        for a in list {
            match a {
                AddressMatch::Prefix(c) => range(c.range().lo, c.range().hi),
                AddressMatch::Range(lo, hi) => range(*lo, *hi),
                _ => {}
            }
        }
    };
    for nsg in &net.nsgs {
        for r in &nsg.rules {
            matches(&r.sources, &mut range);
            matches(&r.destinations, &mut range);
        }
    }
    // IP groups stand for their prefixes in firewall rules.
    for g in &net.ip_groups {
        matches(&g.addresses, &mut range);
    }
    for r in &net.admin_rules {
        matches(&r.sources, &mut range);
        matches(&r.destinations, &mut range);
    }
    let collections = net
        .firewalls
        .iter()
        .flat_map(|f| f.classic.iter())
        .chain(net.firewall_policies.iter().flat_map(|fp| fp.groups.iter().flat_map(|g| g.collections.iter())));
    for coll in collections {
        for r in &coll.rules {
            matches(&r.sources, &mut range);
            matches(&r.destinations, &mut range);
            if let Some(ip) = r.translated_address {
                range(ip_to_u128(ip), ip_to_u128(ip));
            }
        }
    }
    let private_ranges = net
        .firewalls
        .iter()
        .filter_map(|f| f.private_ranges.as_ref())
        .chain(net.firewall_policies.iter().filter_map(|fp| fp.private_ranges.as_ref()));
    for pr in private_ranges {
        if let tusk_model::azure::PrivateRanges::List(l) = pr {
            l.iter().for_each(|c| cidr(c, &mut range));
        }
    }
    for rt in &net.route_tables {
        for r in &rt.routes {
            if let RouteDestination::Prefix(c) = &r.destination {
                cidr(c, &mut range);
            }
            if let Some(ip) = r.next_hop_ip {
                range(ip_to_u128(ip), ip_to_u128(ip));
            }
        }
    }
    for vn in &net.vnets {
        vn.address_space.iter().for_each(|c| cidr(c, &mut range));
        for pe in &vn.peerings {
            pe.remote_address_space.iter().for_each(|c| cidr(c, &mut range));
        }
    }
    for s in &net.subnets {
        s.prefixes.iter().for_each(|c| cidr(c, &mut range));
    }
    p.onprem.values().flatten().for_each(|c| cidr(c, &mut range));
    for s in p.vnet_space.values().chain(p.vnet_tag.values()).chain(p.asg_members.values()) {
        set(s, &mut range);
    }
    set(&non_public(), &mut range);
    for n in Idx::all(&net.nics) {
        if let Some(cfg) = p.nva(n) {
            for r in &cfg.rules {
                set(&r.sources, &mut range);
                set(&r.destinations, &mut range);
            }
        }
    }
    v.sort_unstable();
    v.dedup();
    v
}
