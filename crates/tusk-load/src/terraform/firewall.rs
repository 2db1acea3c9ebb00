//! Azure Firewall, firewall policies, rule collection groups, classic
//! network rule collections and IP groups, from azurerm arguments into the
//! Microsoft.Network REST shapes (`azureFirewalls`, `firewallPolicies`,
//! `firewallPolicies/ruleCollectionGroups`, `ipGroups`). A policy's rule
//! collection group carries its collections as three kinds of block in
//! azurerm (`network_rule_collection`, `application_rule_collection`,
//! `nat_rule_collection`) and as `ruleCollections` with a
//! `ruleCollectionType` and rules with a `ruleType` in ARM.

use super::build::{id_ref, s, seq, Cur, Obj, Tr};
use super::Body;
use crate::doc::Node;

pub fn firewall(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/azureFirewalls");
    let mut configs = Vec::new();
    for (n, c) in r.field("ip_configuration").items().iter().enumerate() {
        let mut o = Obj::new(c.pos);
        o.put_opt("name", tr.val(c, "name"));
        let mut p = Obj::new(c.pos);
        let ip = match (n, tr.allocated.get(&i)) {
            (0, Some(ip)) if c.field("private_ip_address").is_unknown() => Some(s(c.pos, ip.clone())),
            _ => tr.val(c, "private_ip_address"),
        };
        p.put_opt("privateIPAddress", ip);
        p.put_opt("subnet", tr.id(c, "subnet_id").map(id_ref));
        p.put_opt("publicIPAddress", tr.id(c, "public_ip_address_id").map(id_ref));
        o.put("properties", p.node());
        configs.push(o.node());
    }
    b.props.put("ipConfigurations", seq(r.pos, configs));
    b.props.put_opt("firewallPolicy", tr.id(&r, "firewall_policy_id").map(id_ref));
    // A secured-hub firewall (`virtual_hub` block) has its address there
    // (ARM: `hubIPAddresses.privateIPAddress`).
    if let Some(h) = r.field("virtual_hub").first() {
        let mut hub = Obj::new(h.pos);
        hub.put_opt("privateIPAddress", tr.val(&h, "private_ip_address"));
        b.props.put("hubIPAddresses", hub.node());
        b.props.put_opt("virtualHub", tr.id(&h, "virtual_hub_id").map(id_ref));
    }
    if let Some(ranges) = r.field("private_ip_ranges").known().and_then(Node::as_seq) {
        let text: Vec<&str> = ranges.iter().filter_map(Node::as_str).collect();
        let mut extra = Obj::new(r.pos);
        extra.put("Network.SNAT.PrivateRanges", s(r.pos, text.join(",")));
        b.props.put("additionalProperties", extra.node());
    }
    b
}

pub fn policy(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/firewallPolicies");
    b.props.put_opt("basePolicy", tr.id(&r, "base_policy_id").map(id_ref));
    if let Some(ranges) = tr.list(&r, "private_ip_ranges") {
        let mut snat = Obj::new(r.pos);
        snat.put("privateRanges", ranges);
        b.props.put("snat", snat.node());
    }
    b
}

pub fn rule_collection_group(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/firewallPolicies/ruleCollectionGroups");
    b.props.put_opt("priority", tr.val(&r, "priority"));
    let mut collections = Vec::new();
    for (block, kind, rule_type) in [
        ("network_rule_collection", "FirewallPolicyFilterRuleCollection", "NetworkRule"),
        ("application_rule_collection", "FirewallPolicyFilterRuleCollection", "ApplicationRule"),
        ("nat_rule_collection", "FirewallPolicyNatRuleCollection", "NatRule"),
    ] {
        for c in r.field(block).items() {
            let mut o = Obj::new(c.pos);
            o.put("ruleCollectionType", s(c.pos, kind));
            o.put_opt("name", tr.val(&c, "name"));
            o.put_opt("priority", tr.val(&c, "priority"));
            let mut action = Obj::new(c.pos);
            action.put_opt("type", tr.val(&c, "action"));
            o.put("action", action.node());
            let rules: Vec<Node> = c.field("rule").items().iter().map(|x| policy_rule(tr, x, rule_type)).collect();
            o.put("rules", seq(c.pos, rules));
            collections.push(o.node());
        }
    }
    b.props.put("ruleCollections", seq(r.pos, collections));
    b
}

fn policy_rule(tr: &Tr, c: &Cur, rule_type: &str) -> Node {
    let mut o = Obj::new(c.pos);
    o.put("ruleType", s(c.pos, rule_type));
    o.put_opt("name", tr.val(c, "name"));
    o.put_opt("sourceAddresses", tr.list(c, "source_addresses"));
    put_ids(tr, &mut o, c, "source_ip_groups", "sourceIpGroups");
    o.put_opt("destinationAddresses", tr.list(c, "destination_addresses"));
    o.put_opt("destinationPorts", tr.list(c, "destination_ports"));
    match rule_type {
        "NetworkRule" => {
            o.put_opt("ipProtocols", tr.list(c, "protocols"));
            put_ids(tr, &mut o, c, "destination_ip_groups", "destinationIpGroups");
            o.put_opt("destinationFqdns", tr.list(c, "destination_fqdns"));
        }
        "ApplicationRule" => {
            let mut protocols = Vec::new();
            for p in c.field("protocols").items() {
                let mut x = Obj::new(p.pos);
                x.put_opt("protocolType", tr.val(&p, "type"));
                x.put_opt("port", tr.val(&p, "port"));
                protocols.push(x.node());
            }
            o.put("protocols", seq(c.pos, protocols));
            o.put_opt("targetFqdns", tr.list(c, "destination_fqdns"));
            o.put_opt("fqdnTags", tr.list(c, "destination_fqdn_tags"));
            o.put_opt("webCategories", tr.list(c, "web_categories"));
            o.put_opt("targetUrls", tr.list(c, "destination_urls"));
            o.put_opt("terminateTLS", tr.val(c, "terminate_tls"));
        }
        _ => {
            o.put_opt("ipProtocols", tr.list(c, "protocols"));
            // azurerm has one `destination_address`; ARM a list.
            o.put_opt("destinationAddresses", tr.list(c, "destination_address"));
            o.put_opt("translatedAddress", tr.val(c, "translated_address"));
            o.put_opt("translatedFqdn", tr.val(c, "translated_fqdn"));
            o.put_opt("translatedPort", tr.val(c, "translated_port"));
        }
    }
    o.node()
}

fn put_ids(tr: &Tr, o: &mut Obj, c: &Cur, tf: &str, arm: &str) {
    let ids = tr.ids(c, tf);
    if !ids.is_empty() {
        o.put(arm, seq(c.pos, ids));
    }
}

/// The kinds of classic rule collection, each its own azurerm resource
/// (`azurerm_firewall_{network,application,nat}_rule_collection`) and its
/// own ARM list on the firewall.
#[derive(Clone, Copy)]
pub enum Classic {
    Network,
    Application,
    Nat,
}

impl Classic {
    pub fn arm_key(self) -> &'static str {
        match self {
            Classic::Network => "networkRuleCollections",
            Classic::Application => "applicationRuleCollections",
            Classic::Nat => "natRuleCollections",
        }
    }
}

/// A classic collection of the firewall named by `azure_firewall_name`
/// (ARM: collections have `properties`, their rules do not).
pub fn classic_collection(tr: &Tr, i: usize, kind: Classic) -> Node {
    let r = tr.root(i);
    let mut o = Obj::new(r.pos);
    o.put("name", s(r.pos, tr.name(i)));
    let mut p = Obj::new(r.pos);
    p.put_opt("priority", tr.val(&r, "priority"));
    let mut action = Obj::new(r.pos);
    action.put_opt("type", tr.val(&r, "action"));
    p.put("action", action.node());
    let mut rules = Vec::new();
    for c in r.field("rule").items() {
        let mut x = Obj::new(c.pos);
        x.put_opt("name", tr.val(&c, "name"));
        x.put_opt("sourceAddresses", tr.list(&c, "source_addresses"));
        put_ids(tr, &mut x, &c, "source_ip_groups", "sourceIpGroups");
        match kind {
            Classic::Network | Classic::Nat => {
                x.put_opt("destinationAddresses", tr.list(&c, "destination_addresses"));
                x.put_opt("destinationPorts", tr.list(&c, "destination_ports"));
                x.put_opt("protocols", tr.list(&c, "protocols"));
            }
            Classic::Application => {}
        }
        match kind {
            Classic::Network => {
                put_ids(tr, &mut x, &c, "destination_ip_groups", "destinationIpGroups");
                x.put_opt("destinationFqdns", tr.list(&c, "destination_fqdns"));
            }
            Classic::Application => {
                x.put_opt("targetFqdns", tr.list(&c, "target_fqdns"));
                x.put_opt("fqdnTags", tr.list(&c, "fqdn_tags"));
                let mut protocols = Vec::new();
                for pr in c.field("protocol").items() {
                    let mut y = Obj::new(pr.pos);
                    y.put_opt("protocolType", tr.val(&pr, "type"));
                    y.put_opt("port", tr.val(&pr, "port"));
                    protocols.push(y.node());
                }
                x.put("protocols", seq(c.pos, protocols));
            }
            Classic::Nat => {
                x.put_opt("translatedAddress", tr.val(&c, "translated_address"));
                x.put_opt("translatedPort", tr.val(&c, "translated_port"));
            }
        }
        rules.push(x.node());
    }
    p.put("rules", seq(r.pos, rules));
    o.put("properties", p.node());
    o.node()
}

pub fn ip_group(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/ipGroups");
    b.props.put_opt("ipAddresses", tr.cidrs(&r, "cidrs"));
    b
}
