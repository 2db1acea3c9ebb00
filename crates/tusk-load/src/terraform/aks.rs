//! AKS clusters and node pools (`azurerm_kubernetes_cluster`,
//! `azurerm_kubernetes_cluster_node_pool`) as the REST bodies of
//! `Microsoft.ContainerService/managedClusters` and its `agentPools`
//! (ManagedClusterProperties, ManagedClusterAgentPoolProfile), so that the
//! Azure loader's AKS reader takes them like any exported cluster.
//!
//! Argument names follow the azurerm documentation (v4 names, with the v3
//! names they replaced: `enable_auto_scaling`, `ebpf_data_plane`);
//! `only_critical_addons_enabled` is the taint
//! `CriticalAddonsOnly=true:NoSchedule`, as that documentation says.

use super::build::{s, seq, Cur, Obj, Tr};
use super::Body;

pub fn cluster(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.ContainerService/managedClusters");
    let mut pools = Vec::new();
    if let Some(c) = r.field("default_node_pool").first() {
        let mut o = Obj::new(c.pos);
        o.put_opt("name", tr.val(&c, "name"));
        pool_properties(tr, &c, &mut o);
        if !o.entries.iter().any(|(k, _)| k.as_str() == Some("mode")) {
            o.put("mode", s(c.pos, "System"));
        }
        if c.field("only_critical_addons_enabled").bool() == Some(true) {
            o.put("nodeTaints", seq(c.pos, vec![s(c.pos, "CriticalAddonsOnly=true:NoSchedule")]));
        }
        pools.push(o.node());
    }
    b.props.put("agentPoolProfiles", seq(r.pos, pools));
    b.props.put_opt("dnsPrefix", tr.val(&r, "dns_prefix"));
    if let Some(n) = r.field("network_profile").first() {
        let mut p = Obj::new(n.pos);
        for (tf, arm) in [
            ("network_plugin", "networkPlugin"),
            ("network_plugin_mode", "networkPluginMode"),
            ("network_policy", "networkPolicy"),
            ("network_data_plane", "networkDataplane"),
            ("ebpf_data_plane", "networkDataplane"),
            ("pod_cidr", "podCidr"),
            ("service_cidr", "serviceCidr"),
            ("dns_service_ip", "dnsServiceIP"),
            ("outbound_type", "outboundType"),
            ("load_balancer_sku", "loadBalancerSku"),
        ] {
            if !p.entries.iter().any(|(k, _)| k.as_str() == Some(arm)) {
                p.put_opt(arm, tr.val(&n, tf));
            }
        }
        b.props.put("networkProfile", p.node());
    }
    b
}

pub fn node_pool(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.ContainerService/managedClusters/agentPools");
    let mut o = Obj::new(r.pos);
    pool_properties(tr, &r, &mut o);
    if !o.entries.iter().any(|(k, _)| k.as_str() == Some("mode")) {
        // azurerm's default for `mode` is `User`.
        o.put("mode", s(r.pos, "User"));
    }
    o.put_opt("nodeTaints", tr.list(&r, "node_taints"));
    o.put_opt("osType", tr.val(&r, "os_type"));
    b.props.entries.extend(o.entries);
    b
}

/// The arguments a default pool and a separate pool share, under their
/// REST names.
fn pool_properties(tr: &Tr, c: &Cur, o: &mut Obj) {
    for (tf, arm) in [
        ("vm_size", "vmSize"),
        ("node_count", "count"),
        ("min_count", "minCount"),
        ("max_count", "maxCount"),
        ("max_pods", "maxPods"),
        ("mode", "mode"),
    ] {
        o.put_opt(arm, tr.val(c, tf));
    }
    let auto = tr.val(c, "auto_scaling_enabled").or_else(|| tr.val(c, "enable_auto_scaling"));
    o.put_opt("enableAutoScaling", auto);
    o.put_opt("vnetSubnetID", tr.id(c, "vnet_subnet_id"));
    o.put_opt("podSubnetID", tr.id(c, "pod_subnet_id"));
    o.put_opt("availabilityZones", tr.list(c, "zones"));
    if let Some(labels) = c.field("node_labels").known().filter(|n| n.as_map().is_some_and(|m| !m.is_empty())) {
        o.put("nodeLabels", labels.clone());
    }
    if let Some(u) = c.field("upgrade_settings").first() {
        if let Some(surge) = u.field("max_surge").known() {
            let mut x = Obj::new(u.pos);
            x.put("maxSurge", surge.clone());
            o.put("upgradeSettings", x.node());
        }
    }
}
