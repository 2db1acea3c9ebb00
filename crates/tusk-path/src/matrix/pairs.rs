//! Member-pair verdicts from context classes: the verdict of any pod or
//! node → pod member pair, read from the (source class, destination class,
//! same node or not) combination it belongs to ([`super::keys`]), each
//! combination traced once ([`crate::join::trace`], the first member pair
//! met standing for it) and memoised. This is the class-based matrix
//! ([`super::matrix`]) asked one member pair at a time, for callers that
//! compare member pairs by name across two versions of an estate
//! (`tusk diff --grain tenant`): a lookup costs a hash probe, not a trace.

use super::keys::{Keys, NodeCtx, PodClass};
use crate::join::{self, Actor, Ask, End, Member, Path, Wiring};
use crate::nodes::SimNode;
use std::collections::HashMap;
use tusk_core::{Idx, Kind};
use tusk_model::k8s::Pod;
use tusk_model::Estate;
use tusk_network::Prepared;

/// Who sends, as the memo tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Src {
    Pod(PodClass),
    Node(NodeCtx),
}

/// The verdicts of member pairs of one estate version for one flow,
/// memoised by context-class combination.
pub struct PairVerdicts<'a> {
    estate: &'a Estate,
    w: &'a Wiring,
    p: &'a Prepared<'a>,
    ask: Ask<'a>,
    keys: Keys,
    memo: HashMap<(Src, PodClass, bool), Kind>,
}

impl<'a> PairVerdicts<'a> {
    /// Classes of `estate`'s pods and nodes, for the flow of `ask`
    /// (`ask.actor` is ignored: each lookup names its actor). Cost: one pass
    /// over pods and nodes ([`Keys::new`]); nothing is traced yet.
    pub fn new(estate: &'a Estate, w: &'a Wiring, p: &'a Prepared<'a>, ask: Ask<'a>) -> Self {
        PairVerdicts { estate, w, p, ask, keys: Keys::new(estate, w), memo: HashMap::new() }
    }

    /// The verdict of `a` → `b` for `actor`: `a` is a pod on a node
    /// ([`Member::Pod`]; for [`Actor::Node`] its node sends) or a node
    /// ([`Member::Node`], node actor only), `b` a pod on a node. `None` for
    /// any other shape (an Azure end, a node destination): trace those.
    /// The first pair of a combination is traced, later ones are looked up.
    pub fn verdict(&mut self, actor: Actor, a: &Member, b: &Member) -> Option<Kind> {
        let &Member::Pod { pod: dp, node: dn, replica: dr } = b else { return None };
        let (src, sn) = match (actor, a) {
            // A pod's flow to itself is no pair of two members (two
            // replicas of one template entry are two pods).
            (Actor::Pod, &Member::Pod { pod, replica, .. }) if (pod, replica) == (dp, dr) => return None,
            (Actor::Pod, &Member::Pod { pod, node, .. }) => (Src::Pod(self.class(pod, node)), node),
            (Actor::Node, &Member::Pod { node, .. }) | (Actor::Node, &Member::Node(node)) => {
                (Src::Node(self.keys.node[node]), node)
            }
            _ => return None,
        };
        let key = (src, self.class(dp, dn), sn == dn);
        if let Some(k) = self.memo.get(&key) {
            return Some(*k);
        }
        let k = self.trace(actor, a, b)?.verdict;
        self.memo.insert(key, k);
        Some(k)
    }

    /// The whole path of one member pair (traced now, not memoised): for
    /// the few pairs a report shows with the rule that decided them.
    /// `None` when the join makes no pair of them (one pod on two nodes).
    pub fn trace(&self, actor: Actor, a: &Member, b: &Member) -> Option<Path> {
        let from = End { members: vec![a.clone()], ..Default::default() };
        let to = End { members: vec![b.clone()], ..Default::default() };
        let g = join::trace(self.estate, self.w, self.p, &from, &to, Ask { actor, ..self.ask });
        g.pairs.into_iter().next()
    }

    /// How many class combinations have been traced so far.
    pub fn traced(&self) -> usize {
        self.memo.len()
    }

    fn class(&self, pod: Idx<Pod>, node: Idx<SimNode>) -> PodClass {
        PodClass {
            pod: self.keys.pod[pod],
            ctx: self.keys.node[node],
            wired: self.w.pod_ips.contains_key(&(pod, node)),
        }
    }
}
