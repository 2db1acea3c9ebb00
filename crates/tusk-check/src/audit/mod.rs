//! `tusk audit`: design lints over the estate, each with a stable code, a
//! severity, the source location of the object at fault and what it found
//! as data (codes documented in docs/audit.md). One rule per file; each
//! reads the model (and tusk-path's join for AKS limits) and decides
//! nothing about flows, so a lint is advice, never a verdict. A finding
//! holds no English: its [`Problem`] points into the estate by typed
//! index, and tusk-report words it (the sentence and the fix line).

mod cni_subnet;
mod default_deny;
mod escape;
mod kubenet_retired;
mod nsg_pod_ip;
mod peering_forwarded;
mod route_budget;
mod shadowed_firewall;
mod shadowed_nsg;
mod tenant_pool_taint;
mod udr_vnet_tag;

mod problem;

pub use problem::{FirewallRuleAt, PodAddress, PoolDemand, Problem, Shadowing};

use tusk_core::Loc;
use tusk_model::Estate;

/// How serious a finding is; the order is Error < Warning < Note, so a
/// sort puts errors first (SARIF 2.1.0 `result.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The configuration does not do what it appears to (the check fails).
    Error,
    /// Likely a mistake, or a risk worth a look.
    Warning,
    /// Worth knowing (a redundant rule); the configuration works as written.
    Note,
}

impl Severity {
    /// SARIF's `level` words, also used by the text and JSON outputs.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One lint's identity and documentation.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable: `TA001`, ...
    pub code: &'static str,
    /// Short kebab-case name.
    pub name: &'static str,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Where the rule is explained (docs/audit.md anchor and the source).
    pub help: &'static str,
    /// The rule itself: every finding of the estate, in input order.
    pub run: fn(&Estate) -> Vec<Finding>,
}

/// One problem found.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule's code (`TA001`, ...), as in [`Rule::code`].
    pub code: &'static str,
    /// How serious this finding is.
    pub severity: Severity,
    /// Where in the inputs the problem is.
    pub loc: Loc,
    /// What is wrong, as data (its objects, numbers and sets); the words,
    /// and what to change, are tusk-report's.
    pub problem: Problem,
}

/// Every rule, in code order.
pub const RULES: &[Rule] = &[
    kubenet_retired::RULE,
    route_budget::RULE,
    cni_subnet::RULE,
    udr_vnet_tag::RULE,
    default_deny::RULE,
    peering_forwarded::RULE,
    shadowed_nsg::RULE,
    escape::RULE,
    nsg_pod_ip::RULE,
    shadowed_firewall::RULE,
    tenant_pool_taint::RULE,
];

/// Runs every rule; findings sorted by file, line, code.
pub fn audit(estate: &Estate) -> Vec<Finding> {
    let mut out: Vec<Finding> = RULES.iter().flat_map(|r| (r.run)(estate)).collect();
    out.sort_by(|a, b| {
        (&*a.loc.file, a.loc.pos.line, a.loc.pos.col, a.code).cmp(&(
            &*b.loc.file,
            b.loc.pos.line,
            b.loc.pos.col,
            b.code,
        ))
    });
    out
}

#[cfg(test)]
pub(crate) fn load(sources: &[(&str, &str)]) -> Estate {
    let s: Vec<(std::sync::Arc<str>, String)> =
        sources.iter().map(|(n, t)| (std::sync::Arc::from(*n), t.to_string())).collect();
    tusk_load::load_sources(&s).unwrap_or_else(|e| panic!("{e}")).estate
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_unique_and_stable_in_shape() {
        let mut codes: Vec<&str> = super::RULES.iter().map(|r| r.code).collect();
        assert!(codes.iter().all(|c| c.len() == 5 && c.starts_with("TA")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), super::RULES.len());
    }
}
