//! The one-line load summary: what was loaded per kind and what was skipped,
//! so that a near-empty load (a wrong folder, every document skipped) is
//! never silent. The CLI prints it on stderr; this module only counts.

use crate::Outcome;
use std::fmt;
use tusk_core::Code;

/// Counts of one load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Documents parsed.
    pub documents: usize,
    /// (kind, count) for every kind with at least one object, Kubernetes
    /// first, then Azure, then tusk's configuration.
    pub kinds: Vec<(&'static str, usize)>,
    /// Documents, objects, files and folders skipped with a warning.
    pub skipped: usize,
    /// Errors found.
    pub errors: usize,
    /// Warnings, including the skips.
    pub warnings: usize,
    /// What each file contributed: (file, kinds with counts), Kubernetes
    /// objects first (Calico, Cilium and Istio policies by their `kind`),
    /// then the Azure network's, in the order files were first cited, for
    /// files holding at least one object.
    pub per_file: Vec<(String, Vec<(String, usize)>)>,
}

/// Counts, per file, the Kubernetes objects and the Azure objects the
/// estate holds, by the file of each object's place (a Terraform plan's
/// objects count for the plan); a controller's pods count as its replicas.
fn per_file(k: &tusk_model::k8s::Cluster, a: &tusk_model::azure::AzureNetwork) -> Vec<(String, Vec<(String, usize)>)> {
    use tusk_core::Loc;
    let mut out: Vec<(String, Vec<(String, usize)>)> = Vec::new();
    let mut weighed = |kind: &str, locs: &mut dyn Iterator<Item = (&Loc, usize)>| {
        for (l, n) in locs {
            if n == 0 {
                continue;
            }
            let i = match out.iter().position(|(f, _)| **f == *l.file) {
                Some(i) => i,
                None => {
                    out.push((l.file.to_string(), Vec::new()));
                    out.len() - 1
                }
            };
            match out[i].1.iter_mut().find(|(x, _)| x == kind) {
                Some(e) => e.1 += n,
                None => out[i].1.push((kind.to_string(), n)),
            }
        }
    };
    weighed("Namespace", &mut k.namespaces.iter().filter_map(|x| x.loc.as_ref()).map(|l| (l, 1)));
    weighed("workload", &mut k.workloads.iter().map(|x| (&x.loc, 1)));
    weighed("Pod", &mut k.pods.iter().map(|x| (&x.loc, x.count() as usize)));
    weighed("Service", &mut k.services.iter().map(|x| (&x.loc, 1)));
    weighed("Ingress", &mut k.ingresses.iter().map(|x| (&x.loc, 1)));
    weighed("Node", &mut k.nodes.iter().map(|x| (&x.loc, 1)));
    weighed("NetworkPolicy", &mut k.network_policies.iter().map(|x| (&x.loc, 1)));
    weighed("AdminNetworkPolicy", &mut k.admin_policies.iter().map(|x| (&x.loc, 1)));
    weighed("BaselineAdminNetworkPolicy", &mut k.baseline_policy.iter().map(|x| (&x.loc, 1)));
    for f in &k.foreign_policies {
        weighed(&f.kind, &mut std::iter::once((&f.loc, 1)));
    }
    let mut add = |kind: &'static str, locs: &mut dyn Iterator<Item = &Loc>| {
        for l in locs {
            let i = match out.iter().position(|(f, _)| **f == *l.file) {
                Some(i) => i,
                None => {
                    out.push((l.file.to_string(), Vec::new()));
                    out.len() - 1
                }
            };
            match out[i].1.iter_mut().find(|(k, _)| k == kind) {
                Some(e) => e.1 += 1,
                None => out[i].1.push((kind.to_string(), 1)),
            }
        }
    };
    add("VNet", &mut a.vnets.iter().map(|x| &x.loc));
    add("subnet", &mut a.subnets.iter().map(|x| &x.loc));
    add("NSG", &mut a.nsgs.iter().map(|x| &x.loc));
    add("ASG", &mut a.asgs.iter().map(|x| &x.loc));
    add("route table", &mut a.route_tables.iter().map(|x| &x.loc));
    add("NIC", &mut a.nics.iter().map(|x| &x.loc));
    add("firewall", &mut a.firewalls.iter().map(|x| &x.loc));
    add("firewall policy", &mut a.firewall_policies.iter().map(|x| &x.loc));
    add("IP group", &mut a.ip_groups.iter().map(|x| &x.loc));
    add("VNet gateway", &mut a.vnet_gateways.iter().map(|x| &x.loc));
    add("local gateway", &mut a.local_gateways.iter().map(|x| &x.loc));
    add("connection", &mut a.connections.iter().map(|x| &x.loc));
    add("private endpoint", &mut a.private_endpoints.iter().map(|x| &x.loc));
    add("NAT gateway", &mut a.nat_gateways.iter().map(|x| &x.loc));
    add("public IP", &mut a.public_ips.iter().map(|x| &x.loc));
    add("load balancer", &mut a.load_balancers.iter().map(|x| &x.loc));
    add("load balancer rule", &mut a.load_balancers.iter().flat_map(|x| x.rules.iter().map(|r| &r.loc)));
    add("outbound rule", &mut a.load_balancers.iter().flat_map(|x| x.outbound_rules.iter().map(|r| &r.loc)));
    add("admin rule", &mut a.admin_rules.iter().map(|x| &x.loc));
    add("virtual hub", &mut a.virtual_hubs.iter().map(|x| &x.loc));
    add("hub connection", &mut a.virtual_hubs.iter().flat_map(|x| x.connections.iter().map(|c| &c.loc)));
    add("hub route table", &mut a.virtual_hubs.iter().flat_map(|x| x.route_tables.iter().map(|t| &t.loc)));
    add("routing policy", &mut a.virtual_hubs.iter().flat_map(|x| x.routing_policies.iter().map(|p| &p.loc)));
    add("application gateway", &mut a.app_gateways.iter().map(|x| &x.loc));
    add("Bastion host", &mut a.bastions.iter().map(|x| &x.loc));
    add("unmodelled device", &mut unmodelled_devices(a).map(|x| &x.loc));
    add("unmodelled resource", &mut a.unmodelled.iter().map(|x| &x.loc));
    add("private DNS zone", &mut a.private_dns.zones.iter().map(|x| &x.loc));
    add("DNS A record set", &mut a.private_dns.a_records.iter().map(|x| &x.loc));
    add("DNS CNAME record set", &mut a.private_dns.cname_records.iter().map(|x| &x.loc));
    add("DNS zone link", &mut a.private_dns.links.iter().map(|x| &x.loc));
    out
}

/// The devices read but not modelled: the opaque devices that are no
/// modelled application gateway or Bastion host (every gateway and Bastion
/// is also an opaque device, for the addresses of its instances).
fn unmodelled_devices(a: &tusk_model::azure::AzureNetwork) -> impl Iterator<Item = &tusk_model::azure::OpaqueDevice> {
    a.opaque_devices.iter().filter(|d| {
        let k = d.id.key();
        !a.app_gateways.iter().any(|g| g.id.key() == k) && !a.bastions.iter().any(|b| b.id.key() == k)
    })
}

impl Summary {
    /// Counts `o`.
    pub fn of(o: &Outcome) -> Summary {
        let k = &o.loaded.estate.k8s;
        let a = &o.loaded.estate.azure;
        let counts = [
            ("Namespace", k.namespaces.len()),
            ("workload", k.workloads.len()),
            ("Pod", k.pods.iter().map(|p| p.count() as usize).sum()),
            ("Service", k.services.len()),
            ("Ingress", k.ingresses.len()),
            ("Node", k.nodes.len()),
            ("NetworkPolicy", k.network_policies.len()),
            ("AdminNetworkPolicy", k.admin_policies.len()),
            ("BaselineAdminNetworkPolicy", usize::from(k.baseline_policy.is_some())),
            ("VNet", a.vnets.len()),
            ("subnet", a.subnets.len()),
            ("NSG", a.nsgs.len()),
            ("ASG", a.asgs.len()),
            ("route table", a.route_tables.len()),
            ("NIC", a.nics.len()),
            ("firewall", a.firewalls.len()),
            ("firewall policy", a.firewall_policies.len()),
            ("VNet gateway", a.vnet_gateways.len()),
            ("local gateway", a.local_gateways.len()),
            ("connection", a.connections.len()),
            ("private endpoint", a.private_endpoints.len()),
            ("NAT gateway", a.nat_gateways.len()),
            ("public IP", a.public_ips.len()),
            ("load balancer", a.load_balancers.len()),
            ("admin rule", a.admin_rules.len()),
            ("IP group", a.ip_groups.len()),
            ("virtual hub", a.virtual_hubs.len()),
            ("load balancer rule", a.load_balancers.iter().map(|l| l.rules.len()).sum()),
            ("outbound rule", a.load_balancers.iter().map(|l| l.outbound_rules.len()).sum()),
            ("application gateway", a.app_gateways.len()),
            ("Bastion host", a.bastions.len()),
            ("unmodelled device", unmodelled_devices(a).count()),
            ("unmodelled resource", a.unmodelled.len()),
            ("private DNS zone", a.private_dns.zones.len()),
            ("DNS A record set", a.private_dns.a_records.len()),
            ("DNS CNAME record set", a.private_dns.cname_records.len()),
            ("DNS zone link", a.private_dns.links.len()),
            ("NVA (tusk.yaml)", o.loaded.estate.config.nvas.len()),
        ];
        Summary {
            files: o.files,
            documents: o.documents,
            kinds: counts.into_iter().filter(|(_, n)| *n > 0).collect(),
            skipped: o.loaded.warnings.iter().filter(|w| w.code() == Code::Skipped).count(),
            errors: o.errors.len(),
            warnings: o.loaded.warnings.len(),
            per_file: per_file(k, a),
        }
    }
}

/// `1 Pod`, `2 Pods`, `3 NetworkPolicies`, `2 NVAs (tusk.yaml)`.
fn count(n: usize, kind: &str) -> String {
    if n == 1 {
        return format!("1 {kind}");
    }
    let (head, tail) = kind.split_once(' ').filter(|(_, t)| t.starts_with('(')).unwrap_or((kind, ""));
    let plural = match head.strip_suffix("Policy") {
        Some(stem) => format!("{stem}Policies"),
        None if head.ends_with("policy") => format!("{}policies", &head[..head.len() - 6]),
        // `Ingresses`, `Addresses`.
        None if head.ends_with('s') => format!("{head}es"),
        None => format!("{head}s"),
    };
    if tail.is_empty() {
        format!("{n} {plural}")
    } else {
        format!("{n} {plural} {tail}")
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, s: &str| if n == 1 { format!("1 {s}") } else { format!("{n} {s}s") };
        write!(f, "read {}, {}", plural(self.files, "file"), plural(self.documents, "document"))?;
        if self.errors > 0 {
            return write!(f, ": {}, nothing loaded", plural(self.errors, "error"));
        }
        if self.kinds.is_empty() {
            f.write_str(": loaded nothing")?;
        } else {
            let kinds: Vec<String> = self.kinds.iter().map(|(k, n)| count(*n, k)).collect();
            write!(f, ": loaded {}", kinds.join(", "))?;
        }
        if self.skipped > 0 {
            write!(f, "; skipped {} (see the warnings)", self.skipped)?;
        }
        Ok(())
    }
}

impl Summary {
    /// One line per file that contributed objects (`FILE: 3 Pods, 1
    /// NetworkPolicy`, `FILE: 2 VNets, 1 NSG`), when the load read more
    /// than one file; empty otherwise.
    pub fn per_file_lines(&self) -> Vec<String> {
        if self.files < 2 {
            return Vec::new();
        }
        self.per_file
            .iter()
            .map(|(file, kinds)| {
                let k: Vec<String> = kinds.iter().map(|(k, n)| count(*n, k)).collect();
                format!("{file}: {}", k.join(", "))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn kinds_are_counted_in_english() {
        assert_eq!(count(1, "Pod"), "1 Pod");
        assert_eq!(count(3, "NetworkPolicy"), "3 NetworkPolicies");
        assert_eq!(count(2, "firewall policy"), "2 firewall policies");
        assert_eq!(count(2, "NVA (tusk.yaml)"), "2 NVAs (tusk.yaml)");
        assert_eq!(count(4, "route table"), "4 route tables");
    }
}
