//! The words of `tusk audit`: one sentence saying what is wrong and one
//! line saying what to change, per [`Problem`], read from the estate the
//! finding points into. The text, JSON and SARIF outputs all print these.

use tusk_check::audit::{FirewallRuleAt, PodAddress, Problem, Shadowing};
use tusk_model::aks::PoolMode;
use tusk_model::Estate;

/// The finding's sentence (what is wrong) and its fix (what to change).
pub(crate) fn words(e: &Estate, p: &Problem) -> (String, String) {
    let net = &e.azure;
    match p {
        Problem::KubenetRetired { cluster } => (
            format!("cluster {} uses kubenet, retired on AKS on 2028-03-31", e.clusters[*cluster].name()),
            "migrate to Azure CNI Overlay: az aks update --network-plugin azure --network-plugin-mode overlay".into(),
        ),
        Problem::KubenetRouteBudget { cluster, budget: b } => {
            let lower = if b.user_routes_unknown { " at least" } else { "" };
            (
                format!(
                    "cluster {} needs{lower} {} routes ({} nodes + {} surge + {} of your own) of the route table's {}",
                    e.clusters[*cluster].name(),
                    b.needed(),
                    b.nodes,
                    b.surge,
                    b.user_routes,
                    b.limit
                ),
                "cap the pools (maxCount, maxSurge) below the budget, or migrate to Azure CNI Overlay (no per-node routes)"
                    .into(),
            )
        }
        Problem::CniSubnetTooSmall { subnet, usable, needed, pools } => {
            let pools: Vec<String> = pools
                .iter()
                .map(|d| {
                    let c = &e.clusters[d.cluster];
                    let p = &c.pools[d.pool];
                    format!("{}/{} ({} nodes with surge × {})", c.name(), p.name, d.nodes, p.max_pods + 1)
                })
                .collect();
            (
                format!(
                    "subnet {} has {usable} usable addresses; Azure CNI needs {needed} for {}",
                    net.subnet_path(*subnet),
                    pools.join(", ")
                ),
                "widen the subnet, lower maxPods or the pool sizes, or use Azure CNI Overlay or a pod subnet".into(),
            )
        }
        Problem::UdrWidensVirtualNetwork { subnet, table, route, nsg } => {
            let t = &net.route_tables[*table];
            (
                format!(
                    "route {} (0.0.0.0/0) of route table {} puts every address in subnet {}'s VirtualNetwork tag: NSG {}'s AllowVnetInBound admits any source",
                    t.routes[*route].name,
                    t.id.name(),
                    net.subnet_path(*subnet),
                    net.nsgs[*nsg].id.name()
                ),
                "add an inbound rule that denies VirtualNetwork (or *) before 65000, below the rules that allow what is wanted"
                    .into(),
            )
        }
        Problem::NamespaceWithoutDefaultDeny { namespace: ns } => (
            format!("namespace {ns} has no default-deny ingress policy: its pods admit every pod"),
            format!("add a NetworkPolicy in {ns} with podSelector: {{}} and policyTypes: [Ingress]"),
        ),
        Problem::SpokeRefusesForwardedTraffic { vnet, peering, table, route, remote } => {
            let r = &net.route_tables[*table].routes[*route];
            (
                format!(
                    "peering {} of VNet {} has allowForwardedTraffic off, but route {} sends traffic to the appliance {} in {}",
                    net.vnets[*vnet].peerings[*peering].id.name(),
                    net.vnets[*vnet].id.name(),
                    r.name,
                    r.next_hop_ip.map(|i| i.to_string()).unwrap_or_default(),
                    net.vnets[*remote].id.name()
                ),
                "set allowForwardedTraffic: true on this peering".into(),
            )
        }
        Problem::NsgRuleShadowed { nsg, rule, by, shadowing } => {
            let n = &net.nsgs[*nsg];
            let (r, by) = (&n.rules[*rule], &n.rules[*by]);
            (
                format!(
                    "NSG {} rule {} (priority {}) is {}: rule {} (priority {}, {:?}) matches every flow it matches ({})",
                    n.id.name(),
                    r.name,
                    r.priority,
                    shadowing_word(*shadowing),
                    by.name,
                    by.priority,
                    by.access,
                    by.loc
                ),
                format!("remove rule {}, or give it a priority below {} if it is meant to decide", r.name, by.priority),
            )
        }
        Problem::PodEscapeRisk { workload, risk } => {
            let w = &e.k8s.workloads[*workload];
            (
                format!("{} {}/{}: {}", w.kind.name(), w.namespace, w.name, escape_setting(&w.escape[*risk].setting)),
                "remove the setting, or enforce the Pod Security Standards (restricted) on the namespace".into(),
            )
        }
        Problem::NsgRuleOnPodIp { nsg, rule, prefix, inside } => {
            let n = &net.nsgs[*nsg];
            let what = match inside {
                PodAddress::Pod { pod, ip } => {
                    let p = &e.k8s.pods[*pod];
                    format!("pod {}/{}'s address {ip}", p.namespace, p.name)
                }
                PodAddress::PodCidr => "the pod CIDR".to_string(),
            };
            (
                format!(
                    "NSG {} rule {} names {prefix}, inside {what}: pod addresses change on every reschedule",
                    n.id.name(),
                    n.rules[*rule].name
                ),
                "filter pods with NetworkPolicy, or give the pods a subnet of their own (pod subnet) and name that"
                    .into(),
            )
        }
        Problem::FirewallRuleShadowed { rule, by, shadowing } => {
            let holder = match *rule {
                FirewallRuleAt::Policy { policy, .. } => {
                    format!("firewall policy {}", net.firewall_policies[policy].id.name())
                }
                FirewallRuleAt::Classic { firewall, .. } => format!("firewall {}", net.firewalls[firewall].id.name()),
            };
            let (r, coll) = (rule.rule(net), &rule.collection(net).name);
            let (e_rule, e_coll) = (by.rule(net), by.collection(net));
            (
                format!(
                    "{holder} network rule {} (collection {coll}) is {}: rule {} (collection {}, {:?}, {}) matches every flow it matches",
                    r.name,
                    shadowing_word(*shadowing),
                    e_rule.name,
                    e_coll.name,
                    e_coll.action,
                    e_rule.loc
                ),
                format!("remove rule {}, or move it to a collection processed before {}", r.name, e_coll.name),
            )
        }
        Problem::TenantPoolWithoutTaint { cluster, pool, key, value, namespace } => {
            let c = &e.clusters[*cluster];
            let p = &c.pools[*pool];
            let fix = if p.mode == PoolMode::System {
                // AKS refuses custom taints on System pools (only
                // CriticalAddonsOnly or PreferNoSchedule: the
                // SystemPoolHasRestrictedTaint error, "Use node taints").
                format!(
                    "a System pool takes no custom NoSchedule taint: give tenant {value} a User pool tainted \
                     {key}={value}:NoSchedule, with the matching toleration on its pods"
                )
            } else {
                format!(
                    "taint the pool (az aks nodepool update --node-taints {key}={value}:NoSchedule) and give \
                     tenant {value}'s pods the matching toleration"
                )
            };
            (
                format!(
                    "node pool {} of cluster {} is labelled {key}={value} (the tenant of namespace {namespace}) but has \
                     no NoSchedule or NoExecute taint: pods of other tenants that select no node can be scheduled there",
                    p.name,
                    c.name()
                ),
                fix,
            )
        }
    }
}

fn shadowing_word(s: Shadowing) -> &'static str {
    match s {
        Shadowing::Shadowed => "shadowed",
        Shadowing::Redundant => "redundant",
    }
}

/// A pod-template setting as the audit names it: `hostPID: true`,
/// `privileged: true in container app`, `capabilities added in container
/// app: NET_ADMIN`, ... (a container without a name is `?`).
fn escape_setting(s: &tusk_model::k8s::EscapeSetting) -> String {
    use tusk_model::k8s::EscapeSetting as S;
    let name = |c: &Option<String>| c.as_deref().unwrap_or("?").to_string();
    match s {
        S::HostNamespace(ns) => format!("{}: true", ns.field()),
        S::RootPod => "runAsUser: 0 (root) for the pod".into(),
        S::Privileged { container } => format!("privileged: true in container {}", name(container)),
        S::AllowPrivilegeEscalation { container } => {
            format!("allowPrivilegeEscalation: true in container {}", name(container))
        }
        S::RootContainer { container } => format!("runAsUser: 0 (root) in container {}", name(container)),
        S::AddedCapabilities { container, capabilities } => {
            format!("capabilities added in container {}: {}", name(container), capabilities.join(", "))
        }
    }
}
