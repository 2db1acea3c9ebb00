//! Layered evaluation of one class in one direction, over *pieces*: pairs of
//! (peer bitmap, connection set). Starting from "every peer, every
//! connection undecided", each rule in order carves out what it decides.
//!
//! Layers, per network-policy-api (AdminNetworkPolicy, "Precedence"):
//! 1. AdminNetworkPolicy rules by priority then order: Allow and Deny are
//!    final, Pass skips the remaining admin rules;
//! 2. NetworkPolicy: if any policy isolates the pod in this direction, the
//!    union of their rules is allowed and the rest denied (NetworkPolicy
//!    docs, "Isolated and Non-isolated Pods");
//! 3. otherwise BaselineAdminNetworkPolicy rules in order (Allow/Deny);
//! 4. otherwise allowed (Kubernetes' default).

use super::classes::{ClassIndex, Group};
use super::compile::{has_named, resolve_ports, Applied, Compiled, Direction, Rule};
use super::tier::{Language, TierKind};
use roaring::RoaringBitmap;
use std::collections::HashMap;
use tusk_core::{ConnSet, Idx};
use tusk_model::k8s::AdminAction;

/// Disjoint peer sets, each with the connections allowed toward it.
pub type Pieces = Vec<(RoaringBitmap, ConnSet)>;

/// Merges pieces with equal connection sets.
fn merge(pieces: Pieces) -> Pieces {
    let mut by: HashMap<ConnSet, RoaringBitmap> = HashMap::new();
    for (b, c) in pieces {
        if !b.is_empty() && !c.is_empty() {
            *by.entry(c).or_default() |= b;
        }
    }
    let mut out: Pieces = by.into_iter().map(|(c, b)| (b, c)).collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// Makes pieces disjoint: a peer in several pieces gets the union of their
/// connection sets (the union semantics of allow rules).
pub fn disjoint(pieces: Pieces) -> Pieces {
    let mut out: Pieces = Vec::new();
    for (mut b, c) in merge(pieces) {
        let mut next = Vec::with_capacity(out.len() + 1);
        for (e, ec) in out {
            let i = &b & &e;
            if i.is_empty() {
                next.push((e, ec));
                continue;
            }
            let rest = e - &i;
            if !rest.is_empty() {
                next.push((rest, ec.clone()));
            }
            b -= &i;
            next.push((i, ec.union(&c)));
        }
        if !b.is_empty() {
            next.push((b, c));
        }
        out = next;
    }
    merge(out)
}

/// Which `maybe` peers one world matches: those of first-match and union
/// tiers (`other`), and a deny-wins tier's reading (`deny_wins`: its allow
/// rules' matched, its deny rules' unmatched; the reverse when false).
#[derive(Debug, Clone, Copy)]
struct Wide {
    other: bool,
    deny_wins: bool,
}

/// The evaluation context of one class in one direction.
pub struct Evaluator<'a> {
    /// The classes and atoms peers refer to.
    pub ep: &'a ClassIndex,
    /// The compiled rules.
    pub compiled: &'a Compiled,
    /// Rule → (peers, connections) split by the peer's named ports, for
    /// egress rules with named ports (they resolve on each destination).
    egress_named: HashMap<Idx<Rule>, Pieces>,
    /// The same for the rule's `maybe` peers.
    egress_named_maybe: HashMap<Idx<Rule>, Pieces>,
}

/// Peers split by what a port list with named ports allows toward each
/// (named ports resolve on each destination; outside addresses have none).
fn split_by_ports(ep: &ClassIndex, ports: &[tusk_model::k8s::PolicyPort], peers: &RoaringBitmap) -> Pieces {
    // Resolve once per group (classes of a group share ports).
    let mut by_conns: HashMap<ConnSet, RoaringBitmap> = HashMap::new();
    let mut by_group: HashMap<Idx<Group>, ConnSet> = HashMap::new();
    for peer in peers {
        let conns = if ep.is_atom(peer) {
            resolve_ports(ports, None)
        } else {
            let g = ep.classes[peer as usize].group;
            by_group.entry(g).or_insert_with(|| resolve_ports(ports, Some(&ep.groups[g].ports))).clone()
        };
        by_conns.entry(conns).or_default().insert(peer);
    }
    merge(by_conns.into_iter().map(|(c, b)| (b, c)).collect())
}

impl<'a> Evaluator<'a> {
    /// An evaluator over `compiled`, with the named-port splits of egress rules
    /// precomputed.
    pub fn new(ep: &'a ClassIndex, compiled: &'a Compiled) -> Self {
        let mut egress_named = HashMap::new();
        let mut egress_named_maybe = HashMap::new();
        for (id, r) in Idx::enumerate(&compiled.rules) {
            if !has_named(&r.ports) {
                continue;
            }
            egress_named.insert(id, split_by_ports(ep, &r.ports, &r.peers));
            if !r.maybe.is_empty() {
                egress_named_maybe.insert(id, split_by_ports(ep, &r.ports, &r.maybe));
            }
        }
        Evaluator { ep, compiled, egress_named, egress_named_maybe }
    }

    /// A rule's pieces as seen from `class` in `dir`: ingress named ports
    /// resolve on the class itself, egress ones on each destination.
    /// In the `wide` world the rule also matches its `maybe` peers (outside
    /// addresses that may be nodes', pods of namespaces no input declares).
    fn rule_pieces(&self, id: Idx<Rule>, class: u32, dir: Direction, wide: bool) -> Pieces {
        let r = &self.compiled.rules[id];
        let mut pieces = self.sure_pieces(id, class, dir);
        if wide && !r.maybe.is_empty() {
            if !has_named(&r.ports) {
                pieces.push((r.maybe.clone(), resolve_ports(&r.ports, None)));
            } else if dir == Direction::Ingress {
                let g = &self.ep.groups[self.ep.classes[class as usize].group];
                pieces.push((r.maybe.clone(), resolve_ports(&r.ports, Some(&g.ports))));
            } else {
                pieces.extend(self.egress_named_maybe[&id].iter().cloned());
            }
        }
        pieces
    }

    fn sure_pieces(&self, id: Idx<Rule>, class: u32, dir: Direction) -> Pieces {
        let r = &self.compiled.rules[id];
        if !has_named(&r.ports) {
            return vec![(r.peers.clone(), resolve_ports(&r.ports, None))];
        }
        match dir {
            Direction::Ingress => {
                let g = &self.ep.groups[self.ep.classes[class as usize].group];
                vec![(r.peers.clone(), resolve_ports(&r.ports, Some(&g.ports)))]
            }
            Direction::Egress => self.egress_named[&id].clone(),
        }
    }

    /// Ordered first-match evaluation; returns (allowed, passed, undecided).
    fn ordered(
        &self,
        rules: &[Idx<Rule>],
        class: u32,
        dir: Direction,
        wide: bool,
        deny_narrow: bool,
        mut undecided: Pieces,
    ) -> (Pieces, Pieces, Pieces) {
        let (mut allowed, mut passed) = (Pieces::new(), Pieces::new());
        for &id in rules {
            let action = self.compiled.rules[id].action;
            // With `deny_narrow` (Calico's tiers), a deny rule grants least
            // when its `maybe` peers match: it takes them in the narrow world,
            // so each world is an extreme of every doubtful rule at once.
            let wide_here = if deny_narrow && action == AdminAction::Deny { !wide } else { wide };
            for (p, r) in self.rule_pieces(id, class, dir, wide_here) {
                let mut next = Pieces::with_capacity(undecided.len() + 1);
                for (s, c) in undecided {
                    let m = &s & &p;
                    let hit = c.intersect(&r);
                    if m.is_empty() || hit.is_empty() {
                        next.push((s, c));
                        continue;
                    }
                    let rest = &s - &m;
                    if !rest.is_empty() {
                        next.push((rest, c.clone()));
                    }
                    let left = c.subtract(&r);
                    if !left.is_empty() {
                        next.push((m.clone(), left));
                    }
                    match action {
                        AdminAction::Allow => allowed.push((m, hit)),
                        AdminAction::Pass => passed.push((m, hit)),
                        AdminAction::Deny => {}
                    }
                }
                undecided = merge(next);
            }
        }
        (allowed, passed, undecided)
    }

    /// What `class` allows in `dir`, as disjoint pieces over peers:
    /// (surely allowed, allowed or not depending on inputs tusk lacks).
    ///
    /// A rule with `maybe` peers makes two worlds: the narrow one, in which
    /// the rule grants least (allow and pass rules unmatched by their
    /// `maybe` peers; in a deny-wins tier its deny rules matched), and the
    /// wide one, in which it grants most. Each peer's verdict depends only on
    /// whether that peer is matched, so comparing the two worlds peer by peer
    /// is exact. Admin policies sharing a priority multiply the worlds by
    /// their orders ([`super::compile::admin_orders`]).
    pub fn evaluate(&self, class: u32, dir: Direction, applied: &Applied) -> (Pieces, Pieces) {
        let rules = &self.compiled.rules;
        // Orders of the whole list: only runs of one priority move, and
        // those lie inside one first-match tier, so each tier keeps its
        // length and place.
        let flat: Vec<Idx<Rule>> = applied.ids().collect();
        let orders = super::compile::admin_orders(&flat, |id| rules[id].origin.policy, |id| rules[id].priority);
        // Deny-wins tiers take their doubt apart from the others: the two
        // are independent, so every combination is a world.
        let (mut doubt_dw, mut doubt_other) = (false, false);
        for sel in &applied.tiers {
            if sel.rules.iter().any(|&id| !rules[id].maybe.is_empty()) {
                match self.compiled.tiers[sel.tier].kind {
                    TierKind::DenyWins => doubt_dw = true,
                    // Taken apart below: it only narrows the result.
                    TierKind::AtDestination => {}
                    _ => doubt_other = true,
                }
            }
        }
        let widths: Vec<Wide> = [false, true]
            .into_iter()
            .filter(|&o| doubt_other || !o)
            .flat_map(|o| {
                [false, true].into_iter().filter(|&d| doubt_dw || !d).map(move |d| Wide { other: o, deny_wins: d })
            })
            .collect();
        let (allowed, unknown) = if orders.len() == 1 && widths.len() == 1 {
            (self.evaluate_world(class, dir, &orders[0], applied, widths[0]), Pieces::new())
        } else {
            // Every world: allowed where all allow, unknown where some do.
            let mut worlds = orders.iter().flat_map(|o| widths.iter().map(move |&w| (o, w)));
            let (o, w) = worlds.next().expect("at least one world");
            let first = self.evaluate_world(class, dir, o, applied, w);
            let (mut allowed, mut any) = (first.clone(), first);
            for (o, w) in worlds {
                let p = self.evaluate_world(class, dir, o, applied, w);
                allowed = combine(&allowed, &p, |a, b| a.intersect(b));
                any = combine(&any, &p, |a, b| a.union(b));
            }
            (allowed.clone(), combine(&any, &allowed, |a, b| a.subtract(b)))
        };
        let at_dest = applied.tiers.iter().find(|t| self.compiled.tiers[t.tier].kind == TierKind::AtDestination);
        let Some(sel) = at_dest else { return (allowed, unknown) };
        // The destination's tier is independent of the tiers before it:
        // allowed where both surely allow (its narrow world), unknown where
        // both may (its wide world).
        let narrow = self.at_destination(class, dir, sel, false);
        let wide = self.at_destination(class, dir, sel, true);
        let any = combine(&allowed, &unknown, |a, b| a.union(b));
        let sure = combine(&allowed, &narrow, |a, b| a.intersect(b));
        let any = combine(&any, &wide, |a, b| a.intersect(b));
        (sure.clone(), combine(&any, &sure, |a, b| a.subtract(b)))
    }

    /// What the at-destination tier alone lets `class` accept: (surely,
    /// unknown). Everything when no such tier selects the class. For flows
    /// the tiers before it never restrict (the built-in admission of a
    /// pod's own node).
    pub fn destination_only(&self, class: u32, dir: Direction, applied: &Applied) -> (Pieces, Pieces) {
        let at_dest = applied.tiers.iter().find(|t| self.compiled.tiers[t.tier].kind == TierKind::AtDestination);
        let Some(sel) = at_dest else { return (vec![(self.ep.universe(), ConnSet::all())], Pieces::new()) };
        let narrow = self.at_destination(class, dir, sel, false);
        let wide = self.at_destination(class, dir, sel, true);
        let unknown = combine(&wide, &narrow, |a, b| a.subtract(b));
        (narrow, unknown)
    }

    /// What an at-destination tier lets through in one world: the union of
    /// its allow rules (everything when no allow policy closes the class)
    /// minus the union of its deny rules. In the wide world allow rules
    /// match their `maybe` peers and deny rules do not.
    fn at_destination(&self, class: u32, dir: Direction, sel: &super::compile::Selected, wide: bool) -> Pieces {
        let rules = &self.compiled.rules;
        let is = |id: &&Idx<Rule>, a: AdminAction| rules[**id].action == a;
        let granted = if sel.closed {
            disjoint(self.union_of(sel.rules.iter().filter(|id| is(id, AdminAction::Allow)).copied(), class, dir, wide))
        } else {
            vec![(self.ep.universe(), ConnSet::all())]
        };
        let denied = self.union_of(sel.rules.iter().filter(|id| is(id, AdminAction::Deny)).copied(), class, dir, !wide);
        if denied.is_empty() {
            return granted;
        }
        combine(&granted, &disjoint(denied), |a, d| a.subtract(d))
    }

    /// The union of some rules' pieces toward `class`'s peers.
    fn union_of(&self, ids: impl Iterator<Item = Idx<Rule>>, class: u32, dir: Direction, wide: bool) -> Pieces {
        ids.flat_map(|id| self.rule_pieces(id, class, dir, wide)).collect()
    }

    /// One world: the tiers in order over what is still undecided. `order`
    /// is [`Applied::ids`] in this world's order of equal priorities.
    fn evaluate_world(&self, class: u32, dir: Direction, order: &[Idx<Rule>], applied: &Applied, wide: Wide) -> Pieces {
        let rules = &self.compiled.rules;
        let mut allowed = Pieces::new();
        let mut undecided: Option<Pieces> = None;
        let mut at = 0;
        for sel in &applied.tiers {
            let ids = &order[at..at + sel.rules.len()];
            at += sel.rules.len();
            let kind = self.compiled.tiers[sel.tier].kind;
            if (kind == TierKind::FirstMatch && ids.is_empty()) || kind == TierKind::AtDestination {
                // An at-destination tier narrows the result afterwards.
                continue;
            }
            let calico =
                matches!(self.compiled.tiers[sel.tier].language, Language::Calico(_) | Language::CalicoProfiles);
            let deciding = |pieces: Pieces| -> Pieces {
                match &undecided {
                    None => pieces,
                    Some(rest) => {
                        let mut out = Pieces::new();
                        for (s, c) in rest {
                            for (p, r) in &pieces {
                                out.push((s & p, c.intersect(r)));
                            }
                        }
                        out
                    }
                }
            };
            match kind {
                TierKind::FirstMatch | TierKind::FirstMatchDrop => {
                    let start = undecided.take().unwrap_or_else(|| vec![(self.ep.universe(), ConnSet::all())]);
                    let (a, passed, rest) = self.ordered(ids, class, dir, wide.other, calico, start);
                    allowed.extend(a);
                    let mut next = passed;
                    // The end of a dropping tier denies what no rule decided.
                    if kind == TierKind::FirstMatch {
                        next.extend(rest);
                    }
                    undecided = Some(merge(next));
                }
                TierKind::Union => {
                    let granted = self.union_of(ids.iter().copied(), class, dir, wide.other);
                    if undecided.is_none() && allowed.is_empty() {
                        // Nothing before decided: what the tier allows is
                        // exactly the union of its rules.
                        return disjoint(granted);
                    }
                    allowed.extend(deciding(granted));
                    return disjoint(allowed);
                }
                TierKind::AtDestination => unreachable!("skipped above"),
                TierKind::DenyWins => {
                    let is = |id: &&Idx<Rule>, a: AdminAction| rules[**id].action == a;
                    // An endpoint no policy closes (enableDefaultDeny off)
                    // keeps everything the deny rules leave.
                    let granted = if sel.closed {
                        let allows = ids.iter().filter(|id| is(id, AdminAction::Allow)).copied();
                        self.union_of(allows, class, dir, wide.deny_wins)
                    } else {
                        vec![(self.ep.universe(), ConnSet::all())]
                    };
                    // Deny rules grant least when matched: their `maybe`
                    // peers count in the narrow world.
                    let denied = self.union_of(
                        ids.iter().filter(|id| is(id, AdminAction::Deny)).copied(),
                        class,
                        dir,
                        !wide.deny_wins,
                    );
                    let mut granted = disjoint(deciding(granted));
                    if !denied.is_empty() {
                        let denied = disjoint(denied);
                        granted = combine(&granted, &denied, |a, d| a.subtract(d));
                    }
                    allowed.extend(granted);
                    return disjoint(allowed);
                }
            }
        }
        // Past the last tier: allowed.
        match undecided {
            None => vec![(self.ep.universe(), ConnSet::all())],
            Some(rest) => {
                allowed.extend(rest);
                disjoint(allowed)
            }
        }
    }
}

/// Peer by peer `f(a, b)` of two disjoint piece lists (a peer absent from
/// one list has the empty set there).
pub fn combine(a: &Pieces, b: &Pieces, f: impl Fn(&ConnSet, &ConnSet) -> ConnSet) -> Pieces {
    let none = ConnSet::none();
    let all_a = a.iter().fold(RoaringBitmap::new(), |acc, (x, _)| acc | x);
    let all_b = b.iter().fold(RoaringBitmap::new(), |acc, (x, _)| acc | x);
    let mut out = Pieces::new();
    for (ab, ac) in a {
        for (bb, bc) in b {
            out.push((ab & bb, f(ac, bc)));
        }
        out.push((ab - &all_b, f(ac, &none)));
    }
    for (bb, bc) in b {
        out.push((bb - &all_a, f(&none, bc)));
    }
    merge(out)
}

/// The connection set a disjoint piece list gives one peer.
pub fn lookup(pieces: &Pieces, peer: u32) -> Option<&ConnSet> {
    pieces.iter().find(|(b, _)| b.contains(peer)).map(|(_, c)| c)
}
