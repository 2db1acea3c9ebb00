//! The words of tusk-policy's end resolution errors: why `--from` / `--to`
//! of `tusk explain` (or an intent's end) names no pod, workload or
//! address of the cluster. tusk-policy returns them as data
//! ([`EndError`]); the CLI and `tusk check` print these sentences. No
//! decision is made here.

use tusk_model::k8s::WorkloadKind;
use tusk_policy::endpoint::{EndError, MAX_MEMBERS};

fn kinds(k: &[WorkloadKind]) -> impl Iterator<Item = &'static str> + '_ {
    k.iter().map(|k| k.name())
}

/// Why an end cannot be resolved against the cluster, in one sentence (no
/// trailing period): ``no pod `t1/web-9` ``.
pub fn end_error(e: &EndError) -> String {
    match e {
        EndError::Several { end, namespace, name, kinds: k } => format!(
            "`{end}` names several things: pod:{namespace}/{name}, {}; write one of them",
            kinds(k).map(|k| format!("workload:{namespace}/{name} ({k})")).collect::<Vec<_>>().join(", ")
        ),
        EndError::NoPodOrWorkload { end, namespace, known } => format!(
            "no pod or workload `{end}`; workloads in namespace `{namespace}`: {}",
            if known.is_empty() { "none".into() } else { known.join(", ") }
        ),
        EndError::NoPod { namespace, name } => format!("no pod `{namespace}/{name}`"),
        EndError::SeveralWorkloads { namespace, name, kinds: k } => format!(
            "`{namespace}/{name}` names several workloads: {}; tusk cannot tell them apart by name yet",
            kinds(k).collect::<Vec<_>>().join(", ")
        ),
        EndError::TooManyPods { namespace, name, total } => format!(
            "`{namespace}/{name}` stands for {total} pods (more than {MAX_MEMBERS}); name one of them (`{namespace}/{name}-0`, ...), or ask `tusk matrix --grain workload`"
        ),
        EndError::NoWorkload { namespace, name } => format!("no workload `{namespace}/{name}` with pods"),
        EndError::OnPremWithoutAddress => {
            "`onprem` needs an address here (onprem:IP): the cluster inputs hold no on-premises prefixes".into()
        }
        EndError::Service(end) => format!("`{end}`: a Service is not a pod, workload or address"),
        EndError::Ingress(end) => {
            format!("`{end}`: an Ingress is a way in for `tusk trace` across both layers, not a pod, workload or address")
        }
        EndError::NodeOrTenant(end) => {
            format!("`{end}`: nodes and tenants are not in `tusk explain` yet; name a pod, workload or address")
        }
        EndError::Azure(end) => format!(
            "`{end}` names an Azure resource; `tusk explain` takes pod:NS/NAME, workload:NS/NAME, NS/NAME, an IP or a CIDR (see docs/endpoints.md)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_things_of_one_name_are_listed_with_their_kinds() {
        let e = EndError::Several {
            end: "t1/web".into(),
            namespace: "t1".into(),
            name: "web".into(),
            kinds: vec![WorkloadKind::Deployment, WorkloadKind::StatefulSet],
        };
        assert_eq!(
            end_error(&e),
            "`t1/web` names several things: pod:t1/web, workload:t1/web (Deployment), workload:t1/web (StatefulSet); \
             write one of them"
        );
    }

    #[test]
    fn an_unknown_name_lists_the_namespace_s_workloads_or_none() {
        let e = EndError::NoPodOrWorkload { end: "t1/x".into(), namespace: "t1".into(), known: vec![] };
        assert_eq!(end_error(&e), "no pod or workload `t1/x`; workloads in namespace `t1`: none");
        let e = EndError::NoPodOrWorkload {
            end: "t1/x".into(),
            namespace: "t1".into(),
            known: vec!["a".into(), "b".into()],
        };
        assert_eq!(end_error(&e), "no pod or workload `t1/x`; workloads in namespace `t1`: a, b");
        let e = EndError::TooManyPods { namespace: "t1".into(), name: "w".into(), total: 200_000 };
        assert!(end_error(&e).starts_with("`t1/w` stands for 200000 pods (more than 100000)"), "{}", end_error(&e));
    }
}
