//! The second half of loading: children meet their parents, and every
//! reference is checked and turned into an index (see the module essay of
//! `azure` for when a missing target is an error and when it is unknown).

use super::network::{PendingPeering, PendingSubnet};
use super::Builder;
use std::collections::{HashMap, HashSet};
use tusk_core::{LoadError, Warning};
use tusk_model::azure::*;

/// Id lookups: by full key, then by the `providers/...` part when unique
/// and one side names no subscription and group (an ARM template's
/// `resourceId()` without them, or a resource a template defined): two full
/// ids that differ in subscription or group are different resources.
#[derive(Default)]
struct Index {
    full: HashMap<String, usize>,
    /// By provider key: the index, if unique, and whether its id is scoped.
    provider: HashMap<String, Option<(usize, bool)>>,
}

impl Index {
    fn add(&mut self, id: &ResourceId, i: usize) {
        self.full.insert(id.key().to_string(), i);
        if let Some(p) = id.provider_key() {
            let scoped = scope(id).is_some();
            self.provider.entry(p.to_string()).and_modify(|e| *e = None).or_insert(Some((i, scoped)));
        }
    }

    fn get(&self, id: &ResourceId) -> Option<usize> {
        if let Some(&i) = self.full.get(id.key()) {
            return Some(i);
        }
        let (i, scoped) = (*self.provider.get(id.provider_key()?)?)?;
        (!scoped || scope(id).is_none()).then_some(i)
    }
}

fn index<T>(items: &[T], id: impl Fn(&T) -> &ResourceId) -> Index {
    let mut ix = Index::default();
    for (i, t) in items.iter().enumerate() {
        ix.add(id(t), i);
    }
    ix
}

pub fn finish(b: Builder, warnings: &mut Vec<Warning>) -> Result<AzureNetwork, LoadError> {
    let Builder { mut net, subnets, peerings, groups, policy_group_refs, refs, loaded_types, defined, .. } = b;
    let covered = covered_scopes(defined.keys());
    attach_subnets(&mut net, subnets, warnings);
    attach_peerings(&mut net, peerings, warnings);
    attach_groups(&mut net, groups, policy_group_refs, warnings);

    let ix = Indexes::new(&net);
    check_refs(&ix, &refs, &loaded_types, &covered, warnings)?;
    resolve_links(&mut net, &ix);
    Ok(net)
}

fn attach_subnets(net: &mut AzureNetwork, pending: Vec<PendingSubnet>, warnings: &mut Vec<Warning>) {
    let mut seen: HashSet<String> = HashSet::new();
    for PendingSubnet { parent, mut subnet } in pending {
        if !seen.insert(subnet.id.key().to_string()) {
            // A VNet's inline subnet and the subnet resource itself: same id.
            continue;
        }
        let vix = index(&net.vnets, |v| &v.id);
        let v = match vix.get(&parent) {
            Some(v) => v,
            None => {
                warnings.push(Warning {
                    loc: subnet.loc.clone(),
                    message: format!(
                        "subnet {}: its virtual network {} is not in the inputs; its address space is taken to be the subnet's prefixes",
                        subnet.id.name(),
                        parent.name()
                    ),
                });
                net.vnets.push(VirtualNetwork {
                    id: parent.clone(),
                    loc: subnet.loc.clone(),
                    address_space: subnet.prefixes.clone(),
                    subnets: Vec::new(),
                    peerings: Vec::new(),
                });
                net.vnets.len() - 1
            }
        };
        subnet.vnet = v;
        net.vnets[v].subnets.push(net.subnets.len());
        net.subnets.push(subnet);
    }
}

fn attach_peerings(net: &mut AzureNetwork, pending: Vec<PendingPeering>, warnings: &mut Vec<Warning>) {
    let vix = index(&net.vnets, |v| &v.id);
    let mut seen: HashSet<String> = HashSet::new();
    for PendingPeering { parent, peering } in pending {
        if !seen.insert(peering.id.key().to_string()) {
            continue;
        }
        match vix.get(&parent) {
            Some(v) => net.vnets[v].peerings.push(peering),
            None => warnings.push(Warning {
                loc: peering.loc.clone(),
                message: format!(
                    "peering {}: its virtual network {} is not in the inputs; skipped",
                    peering.id.name(),
                    parent.name()
                ),
            }),
        }
    }
}

fn attach_groups(
    net: &mut AzureNetwork,
    groups: Vec<RuleCollectionGroup>,
    refs: Vec<Vec<ResourceId>>,
    warnings: &mut Vec<Warning>,
) {
    let pix = index(&net.firewall_policies, |p| &p.id);
    for g in groups {
        match g.id.parent().and_then(|p| pix.get(&p)) {
            Some(p) => net.firewall_policies[p].groups.push(g),
            None => warnings.push(Warning {
                loc: g.loc.clone(),
                message: format!(
                    "rule collection group {}: its firewall policy is not in the inputs; skipped",
                    g.id.name()
                ),
            }),
        }
    }
    for (p, refs) in net.firewall_policies.iter_mut().zip(refs) {
        let have: HashSet<&str> = p.groups.iter().map(|g| g.id.key()).collect();
        p.missing_groups = refs.into_iter().filter(|r| !have.contains(r.key())).collect();
        p.groups.sort_by_key(|g| g.priority);
    }
}

struct Indexes {
    by_type: HashMap<&'static str, Index>,
}

impl Indexes {
    fn new(net: &AzureNetwork) -> Indexes {
        let mut by_type = HashMap::new();
        by_type.insert("microsoft.network/virtualnetworks", index(&net.vnets, |v| &v.id));
        by_type.insert("microsoft.network/virtualnetworks/subnets", index(&net.subnets, |v| &v.id));
        by_type.insert("microsoft.network/networksecuritygroups", index(&net.nsgs, |v| &v.id));
        by_type.insert("microsoft.network/applicationsecuritygroups", index(&net.asgs, |v| &v.id));
        by_type.insert("microsoft.network/routetables", index(&net.route_tables, |v| &v.id));
        by_type.insert("microsoft.network/networkinterfaces", index(&net.nics, |v| &v.id));
        by_type.insert("microsoft.network/azurefirewalls", index(&net.firewalls, |v| &v.id));
        by_type.insert("microsoft.network/firewallpolicies", index(&net.firewall_policies, |v| &v.id));
        by_type.insert("microsoft.network/virtualnetworkgateways", index(&net.vnet_gateways, |v| &v.id));
        by_type.insert("microsoft.network/localnetworkgateways", index(&net.local_gateways, |v| &v.id));
        by_type.insert("microsoft.network/natgateways", index(&net.nat_gateways, |v| &v.id));
        by_type.insert("microsoft.network/publicipaddresses", index(&net.public_ips, |v| &v.id));
        Indexes { by_type }
    }

    fn get(&self, id: &ResourceId) -> Option<usize> {
        let t = id.type_key()?;
        self.by_type.get(t.as_str())?.get(id)
    }
}

/// The resource group of an id, lower-cased
/// (`/subscriptions/s/resourcegroups/g`); `None` for a template's
/// `providers/...` id, which names no group.
fn scope(id: &ResourceId) -> Option<&str> {
    let k = id.key();
    let i = k.find("/providers/")?;
    (k.starts_with("/subscriptions/") && k[..i].contains("/resourcegroups/")).then(|| &k[..i])
}

/// A type as the coverage check sees it: a subnet is covered where its
/// virtual network's type is (subnets arrive inside their VNets).
fn coverage_type(t: &str) -> &str {
    if t == "microsoft.network/virtualnetworks/subnets" {
        "microsoft.network/virtualnetworks"
    } else {
        t
    }
}

/// (type, resource group) pairs of which the inputs hold a resource: the
/// part of the estate an export covers.
fn covered_scopes<'a>(keys: impl Iterator<Item = &'a String>) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    for k in keys {
        let id = ResourceId::new(k.as_str());
        if let (Some(t), Some(s)) = (id.type_key(), scope(&id)) {
            out.insert((coverage_type(&t).to_string(), s.to_string()));
        }
    }
    out
}

/// A reference that resolves to nothing is an error when the inputs cover
/// its type in its resource group (the export should hold it: a typo or a
/// deleted resource) and a warning otherwise (it lies in another group or
/// subscription, or of a type not exported): the link stays absent and
/// what depends on it is unknown.
fn check_refs(
    ix: &Indexes,
    refs: &[super::cx::PendingRef],
    loaded_types: &HashSet<String>,
    covered: &HashSet<(String, String)>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoadError> {
    let mut warned: HashSet<&str> = HashSet::new();
    for r in refs {
        if ix.get(&r.id).is_some() {
            continue;
        }
        let t = r.id.type_key();
        let outside_groups = match (&t, scope(&r.id)) {
            (Some(t), Some(s)) => !covered.contains(&(coverage_type(t).to_string(), s.to_string())),
            _ => false,
        };
        if let Some(t) = &t {
            if loaded_types.contains(t) && !outside_groups {
                return Err(LoadError::new(
                    r.loc.clone(),
                    format!(
                        "dangling reference: no {} with id `{}` in the inputs (other resources of that type were loaded)",
                        t.rsplit('/').next().unwrap_or(t),
                        r.id
                    ),
                )
                .in_object(r.object.clone()));
            }
        }
        if !warned.insert(r.id.key()) {
            continue;
        }
        let short = t.as_deref().map(|t| t.rsplit('/').next().unwrap_or(t));
        let message = if t.as_ref().is_some_and(|t| loaded_types.contains(t)) {
            format!(
                "reference to `{}`, in a resource group the inputs do not cover (they hold no {} there); what depends on it is unknown (in {})",
                r.id,
                short.unwrap_or_default(),
                r.object
            )
        } else {
            format!(
                "reference to `{}`, which is outside the inputs (no {} loaded); what depends on it is unknown (in {})",
                r.id,
                short.unwrap_or("resource of that type"),
                r.object
            )
        };
        warnings.push(Warning { loc: r.loc.clone(), message });
    }
    Ok(())
}

fn resolve_links(net: &mut AzureNetwork, ix: &Indexes) {
    let fix = |l: &mut Link| {
        if let Link::Absent(id) = l {
            if let Some(i) = ix.get(id) {
                *l = Link::Found(i);
            }
        }
    };
    let fix_opt = |l: &mut Option<Link>| {
        if let Some(l) = l {
            fix(l)
        }
    };
    let fix_rules = |rules: &mut [SecurityRule]| {
        for r in rules {
            for a in r.sources.iter_mut().chain(r.destinations.iter_mut()) {
                if let AddressMatch::Asg(l) = a {
                    fix(l);
                }
            }
        }
    };
    for s in &mut net.subnets {
        fix_opt(&mut s.nsg);
        fix_opt(&mut s.route_table);
        fix_opt(&mut s.nat_gateway);
    }
    for v in &mut net.vnets {
        for p in &mut v.peerings {
            fix(&mut p.remote);
        }
    }
    for n in &mut net.nsgs {
        fix_rules(&mut n.rules);
    }
    for n in &mut net.nics {
        fix_opt(&mut n.nsg);
        for c in &mut n.ip_configs {
            fix_opt(&mut c.subnet);
            fix_opt(&mut c.public_ip);
            c.asgs.iter_mut().for_each(fix);
        }
    }
    for f in &mut net.firewalls {
        fix_opt(&mut f.subnet);
        fix_opt(&mut f.policy);
        f.public_ips.iter_mut().for_each(fix);
    }
    for p in &mut net.firewall_policies {
        fix_opt(&mut p.base_policy);
    }
    for g in &mut net.vnet_gateways {
        fix_opt(&mut g.subnet);
    }
    for c in &mut net.connections {
        fix(&mut c.gateway);
        fix_opt(&mut c.local_gateway);
    }
    for p in &mut net.private_endpoints {
        fix_opt(&mut p.subnet);
    }
    for n in &mut net.nat_gateways {
        n.public_ips.iter_mut().for_each(fix);
    }
    for lb in &mut net.load_balancers {
        for f in &mut lb.frontends {
            fix_opt(&mut f.subnet);
            fix_opt(&mut f.public_ip);
        }
    }
}
