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
            ("NVA (tusk.yaml)", o.loaded.estate.config.nvas.len()),
        ];
        Summary {
            files: o.files,
            documents: o.documents,
            kinds: counts.into_iter().filter(|(_, n)| *n > 0).collect(),
            skipped: o.loaded.warnings.iter().filter(|w| w.code() == Code::Skipped).count(),
            errors: o.errors.len(),
            warnings: o.loaded.warnings.len(),
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
