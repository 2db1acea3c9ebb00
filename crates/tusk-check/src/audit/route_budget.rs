//! TA002: a kubenet cluster's route table near or over its 400 routes.
//! With kubenet every node's pod range is one user-defined route in the
//! subnet's route table, which holds at most 400 routes ("Azure
//! subscription and service limits"); surge nodes during an upgrade and
//! the user's own routes come out of the same budget. The count is
//! tusk-path's (`route_budget`): over the limit is an error, within 10% of
//! it a warning.

use super::{Finding, Problem, Rule, Severity};
use tusk_model::Estate;
use tusk_path::route_budget::kubenet_route_budget;

pub const RULE: Rule = Rule {
    code: "TA002",
    name: "kubenet-route-budget",
    summary: "A kubenet cluster needs more routes than its route table holds (400), or nearly.",
    help: "docs/audit.md#ta002-kubenet-route-budget",
    run,
};

fn run(e: &Estate) -> Vec<Finding> {
    let fleet = tusk_path::nodes::materialise(e, true);
    let mut out = Vec::new();
    for (i, c) in tusk_core::Idx::enumerate(&e.clusters) {
        let Some(b) = kubenet_route_budget(e, &fleet, i) else { continue };
        let severity = if !b.fits() {
            Severity::Error
        } else if b.needed() * 10 >= b.limit * 9 {
            Severity::Warning
        } else {
            continue;
        };
        out.push(Finding {
            code: RULE.code,
            severity,
            loc: c.network.loc.clone(),
            problem: Problem::KubenetRouteBudget { cluster: i, budget: b },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::kubenet_retired::KUBENET;

    #[test]
    fn over_the_budget_is_an_error_near_it_a_warning_and_far_below_nothing() {
        let at = |n: u32| {
            super::run(&super::super::load(&[(
                "aks.json",
                &KUBENET.replace("\"count\": 3", &format!("\"count\": {n}")),
            )]))
        };
        assert!(at(3).is_empty());
        let over = at(420);
        assert_eq!((over.len(), over[0].severity), (1, super::Severity::Error));
        let super::Problem::KubenetRouteBudget { cluster, budget } = &over[0].problem else { panic!("{over:?}") };
        assert_eq!((cluster.index(), budget.nodes, budget.user_routes_unknown), (0, 420, false), "{budget:?}");
        let near = at(370);
        assert_eq!((near.len(), near[0].severity), (1, super::Severity::Warning), "{near:?}");
    }
}
