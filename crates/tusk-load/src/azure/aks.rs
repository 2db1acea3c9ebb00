//! AKS managed clusters and their agent pools, in every shape the Azure
//! loader accepts (ARM/REST bodies with `properties`, the flattened
//! `az aks show` / `az aks nodepool list` output, REST examples, ARM
//! templates), into [`AksCluster`]s.
//!
//! A pool is read from the cluster's `agentPoolProfiles` and from
//! `managedClusters/agentPools` child resources; a child wins over the
//! profile of the same name (it is the pool's own, newer, resource). Subnet
//! references (`vnetSubnetID`, `podSubnetID`) are resolved against the
//! loaded subnets with the Azure loader's rule: dangling while the inputs
//! hold subnets is an error, unresolvable because they hold none is a
//! warning and the link stays absent.
//!
//! Validation follows the ARM API (ManagedClusterProperties and
//! ManagedClusterAgentPoolProfile in the `Microsoft.ContainerService`
//! REST specification, and the AKS network documentation): enums are
//! checked, CIDRs parsed, pool names `^[a-z][a-z0-9]{0,11}$`, counts
//! 0–1000, maxPods 10–250, taints `key[=value]:Effect`, and the plugin
//! combinations AKS refuses (a pod subnet without Azure CNI or with
//! overlay, the Cilium policy engine without the Cilium data plane,
//! Azure NPM with kubenet).
//!
//! Loaders know formats and nothing of analysis.

use super::cx::Cx;
use super::shape::prop;
use crate::doc::Node;
use std::collections::HashMap;
use tusk_core::ip::Cidr;
use tusk_core::{LoadError, Loc, Warning};
use tusk_model::aks::*;
use tusk_model::azure::{AzureNetwork, Link, ResourceId};
use tusk_model::scheduling::{Taint, TaintEffect};

/// A pool whose subnet references are still ids.
struct PendingPool {
    pool: NodePool,
    subnet: Option<(ResourceId, Loc)>,
    pod_subnet: Option<(ResourceId, Loc)>,
}

/// Collects `Microsoft.ContainerService/managedClusters` resources and their
/// `agentPools` children, and resolves their subnets once the network is
/// loaded (ARM reference: learn.microsoft.com/azure/templates/microsoft.containerservice/managedclusters).
#[derive(Default)]
pub struct Builder {
    clusters: Vec<(AksCluster, Vec<PendingPool>)>,
    /// `agentPools` child resources, by their cluster's id key.
    children: Vec<(ResourceId, PendingPool)>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("aks::Builder").field("clusters", &self.clusters.len()).finish()
    }
}

impl Builder {
    /// Whether no cluster or pool was added.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty() && self.children.is_empty()
    }

    /// Reads one managed cluster `n` with id `id`: its network profile (plugin,
    /// overlay, pod CIDRs, outbound type) and its inline agent pools. A field of
    /// the wrong shape is a located [`LoadError`].
    pub fn add_cluster(&mut self, cx: &mut Cx, id: ResourceId, n: &Node) -> Result<(), LoadError> {
        let loc = cx.loc(n);
        let location = n.get_ci("location").and_then(Node::as_str).map(|s| s.replace(' ', "").to_ascii_lowercase());
        let np = prop(n, "networkProfile");
        let network = match np {
            Some(p) => network_profile(cx, p)?,
            None => {
                cx.warn(n, "no `networkProfile`: the network plugin, CIDRs and outbound type are unknown");
                NetworkProfile {
                    plugin: NetworkPlugin::Unspecified,
                    overlay: false,
                    dataplane: Dataplane::Azure,
                    policy: NetworkPolicyEngine::None,
                    pod_cidrs: Vec::new(),
                    service_cidrs: Vec::new(),
                    dns_service_ip: None,
                    outbound: OutboundType::LoadBalancer,
                    loc: loc.clone(),
                }
            }
        };
        let mut pools = Vec::new();
        if let Some(items) = prop(n, "agentPoolProfiles").filter(|v| cx.not_expression(v, "agentPoolProfiles")) {
            let items = items.as_seq().ok_or_else(|| cx.err(items, "`agentPoolProfiles` must be a list"))?;
            for p in items {
                let name = p
                    .get_ci("name")
                    .and_then(Node::as_str)
                    .ok_or_else(|| cx.err(p, "agent pool profile without `name`"))?;
                pools.push(pool(cx, name, p, Some(&network))?);
            }
        }
        let cluster = AksCluster { id, loc, location, network, pools: Vec::new() };
        self.clusters.push((cluster, pools));
        Ok(())
    }

    /// An `agentPools` child; its cluster's network profile is needed for
    /// defaults, so it is read now with the plugin-neutral defaults and its
    /// `maxPods` default fixed in [`Builder::finish`].
    pub fn add_pool(&mut self, cx: &mut Cx, id: ResourceId, n: &Node) -> Result<(), LoadError> {
        let Some(parent) = id.parent() else {
            return Err(cx.err(n, "agent pool id does not name its managed cluster"));
        };
        let name = id.name().to_string();
        let p = pool(cx, &name, n, None)?;
        self.children.push((parent, p));
        Ok(())
    }

    /// Binds the clusters' pools to their subnets in `net` and returns the
    /// clusters. A pool subnet the inputs lack is a located [`LoadError`] when
    /// they hold other subnets, and a warning (the link kept as absent) when they
    /// hold none; a pod subnet the network profile does not allow is an error; a
    /// pool of a cluster the inputs lack is skipped with a warning.
    pub fn finish(self, net: &AzureNetwork, warnings: &mut Vec<Warning>) -> Result<Vec<AksCluster>, LoadError> {
        let subnets: HashMap<&str, usize> = net.subnets.iter().enumerate().map(|(i, s)| (s.id.key(), i)).collect();
        let resolve = |r: Option<(ResourceId, Loc)>, what: &str, pool: &str, warnings: &mut Vec<Warning>| {
            match r {
            None => Ok(None),
            Some((id, loc)) => match subnets.get(id.key()) {
                Some(&i) => Ok(Some(Link::Found(tusk_core::Idx::new(i)))),
                None if !net.subnets.is_empty() => Err(LoadError::new(
                    loc,
                    format!("{what} of node pool {pool} names subnet {id}, which is not in the inputs (they hold other subnets)"),
                )),
                None => {
                    warnings.push(Warning {
                        loc,
                        message: format!(
                            "{what} of node pool {pool}: the inputs hold no subnets, so subnet {} is unknown (export it with `az network vnet list`)",
                            id.name()
                        ),
                    });
                    Ok(Some(Link::Absent(id)))
                }
            },
        }
        };
        let mut out = Vec::new();
        let mut children = self.children;
        for (mut cluster, profiles) in self.clusters {
            let mut pending: Vec<PendingPool> = profiles;
            for (_, mut child) in children.extract_if_cluster(&cluster.id) {
                if child.pool.max_pods == 0 {
                    child.pool.max_pods = default_max_pods(&cluster.network);
                }
                if let Some((_, at)) = &child.pod_subnet {
                    check_pod_subnet(&cluster.network, at)?;
                }
                match pending.iter_mut().find(|p| p.pool.name == child.pool.name) {
                    Some(slot) => *slot = child,
                    None => pending.push(child),
                }
            }
            for p in pending {
                let name = p.pool.name.clone();
                let mut pool = p.pool;
                pool.vnet_subnet = resolve(p.subnet, "vnetSubnetID", &name, warnings)?;
                pool.pod_subnet = resolve(p.pod_subnet, "podSubnetID", &name, warnings)?;
                cluster.pools.push(pool);
            }
            // "A cluster must have at least one 'System' Agent Pool at all
            // times" (ManagedClusterAgentPoolProfile.mode): a body that shows
            // none omits `mode` somewhere, and that pool is System in fact.
            if !cluster.pools.is_empty() && cluster.pools.iter().all(|p| p.mode != PoolMode::System) {
                warnings.push(Warning {
                    loc: cluster.loc.clone(),
                    message: format!(
                        "managed cluster {} shows no pool with mode System, which AKS requires; a pool whose `mode` is absent (read as User) may be the System pool",
                        cluster.name()
                    ),
                });
            }
            out.push(cluster);
        }
        for (parent, child) in children {
            warnings.push(Warning {
                loc: child.pool.loc.clone(),
                message: format!(
                    "node pool {} belongs to managed cluster {}, which is not in the inputs; skipped (export it with `az aks show`)",
                    child.pool.name,
                    parent.name()
                ),
            });
        }
        Ok(out)
    }
}

/// Moving a cluster's children out of the pending list.
trait ExtractChildren {
    fn extract_if_cluster(&mut self, id: &ResourceId) -> Vec<(ResourceId, PendingPool)>;
}

impl ExtractChildren for Vec<(ResourceId, PendingPool)> {
    fn extract_if_cluster(&mut self, id: &ResourceId) -> Vec<(ResourceId, PendingPool)> {
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(self).into_iter().partition(|(p, _)| p == id);
        *self = rest;
        mine
    }
}

/// A pod subnet is Azure CNI's dynamic IP allocation; kubenet and overlay
/// take pod IPs from the pod CIDR instead, and AKS refuses the combination.
fn check_pod_subnet(net: &NetworkProfile, at: &Loc) -> Result<(), LoadError> {
    if matches!(net.plugin, NetworkPlugin::Kubenet | NetworkPlugin::None) || net.overlay {
        return Err(LoadError::new(
            at.clone(),
            "`podSubnetID` requires Azure CNI without overlay (`networkPlugin: azure`)",
        ));
    }
    Ok(())
}

/// AKS's default maxPods per plugin ("Configure maximum pods per node":
/// kubenet 110, Azure CNI 30, Azure CNI Overlay 250); 0 = not yet known.
fn default_max_pods(net: &NetworkProfile) -> u32 {
    match (net.plugin, net.overlay) {
        (NetworkPlugin::Kubenet, _) => 110,
        (NetworkPlugin::Azure, true) => 250,
        (NetworkPlugin::Azure, false) => 30,
        (NetworkPlugin::None | NetworkPlugin::Unspecified, _) => 0,
    }
}

/// Reads an enum field, case-insensitively (ARM compares enum values
/// without case); an unknown value is an error listing the accepted ones.
fn choice<T: Copy>(cx: &mut Cx, n: &Node, key: &str, options: &[(&str, T)]) -> Result<Option<T>, LoadError> {
    let Some(v) = prop(n, key) else { return Ok(None) };
    let Some(s) = cx.literal(v) else { return Ok(None) };
    match options.iter().find(|(name, _)| name.eq_ignore_ascii_case(s)) {
        Some((_, t)) => Ok(Some(*t)),
        None => {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            Err(cx.err(v, format!("`{key}` `{s}` is not one of {}", names.join(", "))))
        }
    }
}

fn network_profile(cx: &mut Cx, p: &Node) -> Result<NetworkProfile, LoadError> {
    use NetworkPlugin as P;
    let plugin = choice(cx, p, "networkPlugin", &[("kubenet", P::Kubenet), ("azure", P::Azure), ("none", P::None)])?;
    let plugin = plugin.unwrap_or_else(|| {
        cx.warn(p, "`networkPlugin` absent: AKS's default depends on the API version (kubenet, later Azure CNI Overlay); pod addressing is unknown");
        P::Unspecified
    });
    let overlay = choice(cx, p, "networkPluginMode", &[("overlay", true)])?.unwrap_or(false);
    if overlay && matches!(plugin, P::Kubenet | P::None) {
        return Err(cx.err(p, "`networkPluginMode: overlay` requires `networkPlugin: azure`"));
    }
    let dataplane = choice(cx, p, "networkDataplane", &[("azure", Dataplane::Azure), ("cilium", Dataplane::Cilium)])?
        .unwrap_or(Dataplane::Azure);
    use NetworkPolicyEngine as E;
    let policy = choice(
        cx,
        p,
        "networkPolicy",
        &[("none", E::None), ("azure", E::Azure), ("calico", E::Calico), ("cilium", E::Cilium)],
    )?;
    // "Azure CNI powered by Cilium": the Cilium data plane enforces policy
    // itself; networkPolicy is `cilium` (or absent, meaning the same).
    let policy = match (dataplane, policy) {
        (Dataplane::Cilium, None | Some(E::Cilium)) => E::Cilium,
        (Dataplane::Cilium, Some(other)) => {
            return Err(cx.err(
                p,
                format!(
                    "`networkDataplane: cilium` enforces policy itself; `networkPolicy: {}` is refused",
                    other.name()
                ),
            ))
        }
        (Dataplane::Azure, Some(E::Cilium)) => {
            return Err(cx.err(p, "`networkPolicy: cilium` requires `networkDataplane: cilium`"))
        }
        (Dataplane::Azure, Some(e)) => e,
        (Dataplane::Azure, None) => E::None,
    };
    if dataplane == Dataplane::Cilium && matches!(plugin, P::Kubenet | P::None) {
        return Err(cx.err(p, "`networkDataplane: cilium` requires `networkPlugin: azure`"));
    }
    // Azure Network Policy Manager works with Azure CNI only ("Secure
    // traffic between pods by using network policies").
    if policy == E::Azure && matches!(plugin, P::Kubenet | P::None) {
        return Err(cx.err(p, "`networkPolicy: azure` (Azure NPM) requires `networkPlugin: azure`"));
    }
    let pod_cidrs = cidrs(cx, p, "podCidrs", "podCidr")?;
    let service_cidrs = cidrs(cx, p, "serviceCidrs", "serviceCidr")?;
    let dns_service_ip = match prop(p, "dnsServiceIP") {
        Some(v) => cx.ip(v)?,
        None => None,
    };
    if let (Some(ip), false) = (dns_service_ip, service_cidrs.is_empty()) {
        if !service_cidrs.iter().any(|c| c.set().contains_ip(ip)) {
            return Err(cx.err(p, format!("`dnsServiceIP` {ip} is outside the service CIDR")));
        }
    }
    use OutboundType as O;
    let outbound = choice(
        cx,
        p,
        "outboundType",
        &[
            ("loadBalancer", O::LoadBalancer),
            ("managedNATGateway", O::ManagedNatGateway),
            ("userAssignedNATGateway", O::UserAssignedNatGateway),
            ("userDefinedRouting", O::UserDefinedRouting),
            ("none", O::None),
        ],
    )?
    .unwrap_or(O::LoadBalancer);
    Ok(NetworkProfile {
        plugin,
        overlay,
        dataplane,
        policy,
        pod_cidrs,
        service_cidrs,
        dns_service_ip,
        outbound,
        loc: cx.loc(p),
    })
}

/// The plural field when present, else the singular one.
fn cidrs(cx: &mut Cx, p: &Node, many: &str, one: &str) -> Result<Vec<Cidr>, LoadError> {
    let mut items = cx.strings(p, many);
    if items.is_empty() {
        items = cx.strings(p, one);
    }
    let mut out = Vec::new();
    for (s, v) in items {
        if super::shape::is_expression(s) {
            cx.warn(v, format!("ARM expression `{s}` is not evaluated; the range is unknown"));
            continue;
        }
        let c = cx.cidr(v, s)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

fn pool(cx: &mut Cx, name: &str, n: &Node, net: Option<&NetworkProfile>) -> Result<PendingPool, LoadError> {
    let valid = name.len() <= 12
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !valid {
        return Err(cx.err(n, format!("node pool name `{name}` must match ^[a-z][a-z0-9]{{0,11}}$")));
    }
    let pool_cx_object = format!("{} (pool {name})", cx.object);
    let saved = std::mem::replace(&mut cx.object, pool_cx_object);
    let r = pool_fields(cx, name, n, net);
    cx.object = saved;
    r
}

fn int(cx: &mut Cx, n: &Node, key: &str, lo: i64, hi: i64) -> Result<Option<u32>, LoadError> {
    let Some(v) = prop(n, key) else { return Ok(None) };
    if v.as_str().is_some_and(super::shape::is_expression) {
        cx.warn(v, format!("ARM expression for `{key}` is not evaluated; its default is used instead"));
        return Ok(None);
    }
    let i = v.as_i64().ok_or_else(|| cx.err(v, format!("`{key}` must be an integer")))?;
    if !(lo..=hi).contains(&i) {
        return Err(cx.err(v, format!("`{key}` {i} is out of range {lo}-{hi}")));
    }
    Ok(Some(i as u32))
}

fn pool_fields(cx: &mut Cx, name: &str, n: &Node, net: Option<&NetworkProfile>) -> Result<PendingPool, LoadError> {
    let mode = choice(
        cx,
        n,
        "mode",
        &[("System", PoolMode::System), ("User", PoolMode::User), ("Gateway", PoolMode::Gateway)],
    )?
    .unwrap_or(PoolMode::User);
    let count = int(cx, n, "count", 0, 1000)?.unwrap_or(1);
    let autoscale = cx.bool(n, "enableAutoScaling").unwrap_or(false);
    let min = int(cx, n, "minCount", 0, 1000)?;
    let max = int(cx, n, "maxCount", 0, 1000)?;
    let autoscale = match (autoscale, min, max) {
        (false, _, _) => None,
        (true, Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
        (true, Some(_), Some(_)) => return Err(cx.err(n, "`minCount` must not exceed `maxCount`")),
        (true, _, _) => return Err(cx.err(n, "`enableAutoScaling` needs `minCount` and `maxCount`")),
    };
    let max_pods = int(cx, n, "maxPods", 10, 250)?.unwrap_or_else(|| net.map_or(0, default_max_pods));
    let max_surge = match prop(n, "upgradeSettings").and_then(|u| u.get_ci("maxSurge")) {
        None => None,
        Some(v) => Some(max_surge(cx, v)?),
    };
    let mut zones = Vec::new();
    for (s, v) in cx.strings(n, "availabilityZones") {
        if cx.not_expression(v, "availabilityZones") {
            zones.push(s.to_string());
        }
    }
    let mut taints = Vec::new();
    for (s, v) in cx.strings(n, "nodeTaints") {
        if cx.not_expression(v, "nodeTaints") {
            taints.push(taint(cx, v, s)?);
        }
    }
    let mut labels = Labels::new();
    if let Some(m) = prop(n, "nodeLabels").and_then(Node::as_map) {
        for (k, v) in m {
            if let (Some(k), Some(v)) = (k.as_str(), v.as_str().or(Some(""))) {
                labels.insert(k.to_string(), v.to_string());
            }
        }
    }
    let subnet = reference(cx, n, "vnetSubnetID");
    let pod_subnet = reference(cx, n, "podSubnetID");
    if let (Some((_, at)), Some(net)) = (&pod_subnet, net) {
        check_pod_subnet(net, at)?;
    }
    let pool = NodePool {
        name: name.to_string(),
        loc: cx.loc(n),
        mode,
        vnet_subnet: None,
        pod_subnet: None,
        count,
        autoscale,
        max_pods,
        max_surge,
        zones,
        taints,
        labels,
        vm_size: cx.str(n, "vmSize").map(str::to_string),
        os_type: cx.str(n, "osType").map(str::to_string),
    };
    Ok(PendingPool { pool, subnet, pod_subnet })
}

/// A subnet id, literal or `[resourceId(...)]` with literal arguments (as
/// the Azure loader reads references).
fn reference(cx: &mut Cx, n: &Node, key: &str) -> Option<(ResourceId, Loc)> {
    let v = prop(n, key)?;
    let s = v.as_str()?;
    if let Some(id) = super::shape::resource_id_expression(s) {
        return Some((id, cx.loc(v)));
    }
    let s = cx.literal(v)?;
    Some((ResourceId::new(s), cx.loc(v)))
}

/// `5` or `33%`.
fn max_surge(cx: &mut Cx, v: &Node) -> Result<MaxSurge, LoadError> {
    let s = v.as_str().unwrap_or_default().trim();
    let bad = || cx.err(v, format!("`maxSurge` `{s}` must be a node count or a percentage such as `33%`"));
    match s.strip_suffix('%') {
        Some(p) => p.parse().map(MaxSurge::Percent).map_err(|_| bad()),
        None => s.parse().map(MaxSurge::Nodes).map_err(|_| bad()),
    }
}

/// `key=value:Effect` or `key:Effect`, as `nodeTaints` are written.
fn taint(cx: &mut Cx, v: &Node, s: &str) -> Result<Taint, LoadError> {
    let bad = |m: &str| cx.err(v, format!("taint `{s}`: {m} (expected key=value:Effect)"));
    let (kv, effect) = s.rsplit_once(':').ok_or_else(|| bad("no effect"))?;
    let effect =
        TaintEffect::parse(effect).ok_or_else(|| bad("effect must be NoSchedule, PreferNoSchedule or NoExecute"))?;
    let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
    if key.is_empty() || !crate::k8s::selector::is_label_key(key) {
        return Err(bad("invalid key"));
    }
    Ok(Taint { key: key.to_string(), value: value.to_string(), effect })
}
