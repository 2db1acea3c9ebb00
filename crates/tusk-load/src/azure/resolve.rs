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
    full: HashMap<String, usize, foldhash::fast::RandomState>,
    /// By provider key: the index, if unique, and whether its id is scoped.
    provider: HashMap<String, Option<(usize, bool)>, foldhash::fast::RandomState>,
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
    let Builder {
        mut net,
        subnets,
        peerings,
        groups,
        policy_group_refs,
        refs,
        loaded_types,
        child_rules,
        child_routes,
        defined,
        ..
    } = b;
    let covered = covered_scopes(defined.keys());
    attach_child_rules(&mut net, child_rules, child_routes, warnings)?;
    attach_subnets(&mut net, subnets, warnings);
    attach_peerings(&mut net, peerings, warnings);
    attach_groups(&mut net, groups, policy_group_refs, warnings);

    let ix = Indexes::new(&net);
    check_refs(&ix, &refs, &loaded_types, &covered, warnings)?;
    resolve_links(&mut net, &ix);
    Ok(net)
}

/// Security rules and routes declared as child resources join their NSG or
/// route table; a rule whose priority and direction another rule of the NSG
/// already has is an error, as for inline rules. A child whose parent is not
/// in the inputs is skipped with a warning (the parent is unknown anyway).
fn attach_child_rules(
    net: &mut AzureNetwork,
    rules: Vec<(ResourceId, SecurityRule)>,
    routes: Vec<(ResourceId, Route)>,
    warnings: &mut Vec<Warning>,
) -> Result<(), LoadError> {
    let nix = index(&net.nsgs, |n| &n.id);
    let mut touched = HashSet::new();
    for (parent, rule) in rules {
        let Some(i) = nix.get(&parent) else {
            warnings.push(Warning {
                loc: rule.loc.clone(),
                message: format!(
                    "security rule {}: its NSG {} is not in the inputs; skipped",
                    rule.name,
                    parent.name()
                ),
            });
            continue;
        };
        let nsg = &mut net.nsgs[i];
        if nsg.rules.iter().any(|r| !r.is_default && r.name.eq_ignore_ascii_case(&rule.name)) {
            // The same rule, inline in the NSG and as a child resource.
            continue;
        }
        if let Some(other) = nsg.rules.iter().find(|r| r.direction == rule.direction && r.priority == rule.priority) {
            return Err(LoadError::new(
                rule.loc.clone(),
                format!(
                    "rule `{}` has priority {} like rule `{}` ({}) in the same direction; Azure requires unique priorities",
                    rule.name, rule.priority, other.name, other.loc
                ),
            ));
        }
        nsg.rules.push(rule);
        touched.insert(i);
    }
    for i in touched {
        net.nsgs[i].rules.sort_by_key(|r| (r.direction == Direction::Outbound, r.priority));
    }
    let tix = index(&net.route_tables, |t| &t.id);
    for (parent, route) in routes {
        match tix.get(&parent) {
            Some(i) if !net.route_tables[i].routes.iter().any(|r| r.name.eq_ignore_ascii_case(&route.name)) => {
                net.route_tables[i].routes.push(route)
            }
            Some(_) => {}
            None => warnings.push(Warning {
                loc: route.loc.clone(),
                message: format!(
                    "route {}: its route table {} is not in the inputs; skipped",
                    route.name,
                    parent.name()
                ),
            }),
        }
    }
    Ok(())
}

fn attach_subnets(net: &mut AzureNetwork, pending: Vec<PendingSubnet>, warnings: &mut Vec<Warning>) {
    let mut seen: HashSet<String> = HashSet::new();
    // Built once and kept up to date: rebuilding it per subnet made the
    // load quadratic (2,000 subnets × 201 VNets was two thirds of it).
    let mut vix = index(&net.vnets, |v| &v.id);
    for PendingSubnet { parent, mut subnet } in pending {
        if !seen.insert(subnet.id.key().to_string()) {
            // A VNet's inline subnet and the subnet resource itself: same id.
            continue;
        }
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
                vix.add(&parent, net.vnets.len() - 1);
                net.vnets.len() - 1
            }
        };
        subnet.vnet = Idx::new(v);
        net.vnets[v].subnets.push(Idx::new(net.subnets.len()));
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

/// One id index per resource type, keyed by the type references name.
struct Indexes {
    by_type: HashMap<&'static str, Index>,
}

impl Indexes {
    fn new(net: &AzureNetwork) -> Indexes {
        fn add<T: AzureResource>(m: &mut HashMap<&'static str, Index>, items: &[T]) {
            m.insert(T::TYPE, index(items, |t| t.id()));
        }
        let mut m = HashMap::new();
        add(&mut m, &net.vnets);
        add(&mut m, &net.subnets);
        add(&mut m, &net.nsgs);
        add(&mut m, &net.asgs);
        add(&mut m, &net.route_tables);
        add(&mut m, &net.nics);
        add(&mut m, &net.firewalls);
        add(&mut m, &net.firewall_policies);
        add(&mut m, &net.vnet_gateways);
        add(&mut m, &net.local_gateways);
        add(&mut m, &net.nat_gateways);
        add(&mut m, &net.public_ips);
        add(&mut m, &net.private_endpoints);
        add(&mut m, &net.load_balancers);
        add(&mut m, &net.connections);
        add(&mut m, &net.ip_groups);
        Indexes { by_type: m }
    }

    /// The index of `id` among the resources of type `want` only: a
    /// reference is never looked up in another type's list.
    fn get_in(&self, want: &str, id: &ResourceId) -> Option<usize> {
        self.by_type.get(want)?.get(id)
    }

    fn get<T: AzureResource>(&self, id: &ResourceId) -> Option<Idx<T>> {
        self.get_in(T::TYPE, id).map(Idx::new)
    }
}

/// The type an id names, as written (`Microsoft.Network/routeTables`).
fn written_type(id: &ResourceId) -> Option<String> {
    let s = id.as_str();
    let i = s.to_ascii_lowercase().find("/providers/")? + "/providers/".len();
    let segs: Vec<&str> = s[i..].split('/').collect();
    let mut t = format!("{}/{}", segs.first()?, segs.get(1)?);
    for k in (3..segs.len()).step_by(2) {
        t.push('/');
        t.push_str(segs[k]);
    }
    Some(t)
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
        let t = r.id.type_key();
        // The field wants one type; an id of another type is a defect Azure
        // rejects too ("Resource ... referenced by resource ... is not of the
        // expected type"), not a reference to follow.
        if let Some(t) = t.as_deref().filter(|t| *t != r.want) {
            return Err(LoadError::new(
                r.loc.clone(),
                format!(
                    "`{}` must reference a {}, but `{}` names a resource of type `{}`; Azure rejects such a reference",
                    r.field,
                    r.noun,
                    r.id,
                    written_type(&r.id).unwrap_or_else(|| t.to_string())
                ),
            )
            .in_object(r.object.clone()));
        }
        if ix.get_in(r.want, &r.id).is_some() {
            continue;
        }
        let outside_groups = match scope(&r.id) {
            Some(s) => !covered.contains(&(coverage_type(r.want).to_string(), s.to_string())),
            None => false,
        };
        if loaded_types.contains(r.want) && !outside_groups {
            return Err(LoadError::new(
                r.loc.clone(),
                format!(
                    "dangling reference: no {} with id `{}` in the inputs (other resources of that type were loaded)",
                    r.noun, r.id
                ),
            )
            .in_object(r.object.clone()));
        }
        if !warned.insert(r.id.key()) {
            continue;
        }
        let message = if loaded_types.contains(r.want) {
            format!(
                "reference to `{}`, in a resource group the inputs do not cover (they hold no {} there); what depends on it is unknown (in {})",
                r.id, r.noun, r.object
            )
        } else {
            format!(
                "reference to `{}`, which is outside the inputs (no {} loaded); what depends on it is unknown (in {})",
                r.id, r.noun, r.object
            )
        };
        warnings.push(Warning { loc: r.loc.clone(), message });
    }
    Ok(())
}

fn fix<T: AzureResource>(ix: &Indexes, l: &mut Link<T>) {
    if let Link::Absent(id) = l {
        if let Some(i) = ix.get::<T>(id) {
            *l = Link::Found(i);
        }
    }
}

fn fix_opt<T: AzureResource>(ix: &Indexes, l: &mut Option<Link<T>>) {
    if let Some(l) = l {
        fix(ix, l)
    }
}

fn fix_all<T: AzureResource>(ix: &Indexes, ls: &mut [Link<T>]) {
    ls.iter_mut().for_each(|l| fix(ix, l))
}

fn resolve_links(net: &mut AzureNetwork, ix: &Indexes) {
    for s in &mut net.subnets {
        fix_opt(ix, &mut s.nsg);
        fix_opt(ix, &mut s.route_table);
        fix_opt(ix, &mut s.nat_gateway);
    }
    for v in &mut net.vnets {
        for p in &mut v.peerings {
            fix(ix, &mut p.remote);
        }
    }
    for n in &mut net.nsgs {
        for r in &mut n.rules {
            for a in r.sources.iter_mut().chain(r.destinations.iter_mut()) {
                if let AddressMatch::Asg(l) = a {
                    fix(ix, l);
                }
            }
        }
    }
    for n in &mut net.nics {
        fix_opt(ix, &mut n.nsg);
        for c in &mut n.ip_configs {
            fix_opt(ix, &mut c.subnet);
            fix_opt(ix, &mut c.public_ip);
            fix_all(ix, &mut c.asgs);
        }
    }
    for f in &mut net.firewalls {
        fix_opt(ix, &mut f.subnet);
        fix_opt(ix, &mut f.policy);
        fix_all(ix, &mut f.public_ips);
    }
    for p in &mut net.firewall_policies {
        fix_opt(ix, &mut p.base_policy);
    }
    let classic = net.firewalls.iter_mut().flat_map(|f| f.classic.iter_mut());
    let policies =
        net.firewall_policies.iter_mut().flat_map(|p| p.groups.iter_mut()).flat_map(|g| g.collections.iter_mut());
    for r in classic.chain(policies).flat_map(|c| c.rules.iter_mut()) {
        for a in r.sources.iter_mut().chain(r.destinations.iter_mut()) {
            if let AddressMatch::IpGroup(l) = a {
                fix(ix, l);
            }
        }
    }
    for g in &mut net.vnet_gateways {
        fix_opt(ix, &mut g.subnet);
    }
    for c in &mut net.connections {
        fix(ix, &mut c.gateway);
        fix_opt(ix, &mut c.local_gateway);
    }
    for p in &mut net.private_endpoints {
        fix_opt(ix, &mut p.subnet);
    }
    for n in &mut net.nat_gateways {
        fix_all(ix, &mut n.public_ips);
    }
    for lb in &mut net.load_balancers {
        for f in &mut lb.frontends {
            fix_opt(ix, &mut f.subnet);
            fix_opt(ix, &mut f.public_ip);
        }
    }
}
