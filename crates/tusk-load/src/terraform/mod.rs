//! The Terraform loader: `terraform show -json PLANFILE` (a plan) and
//! `terraform show -json` (a state) for the azurerm and AzAPI providers.
//! Each resource instance is translated into the ARM resource body that
//! Azure would return for it, and the bodies go to the Azure loader, so a
//! plan lands in the same model as an export of the same estate and the
//! engine never learns that Terraform exists.
//!
//! What a plan does not know yet (`after_unknown`) stays unknown, with
//! two deterministic exceptions, each announced by a warning: a resource
//! id, which ARM builds from subscription, group, parent and name (see
//! `ids`), so references between new resources are followed through the
//! configuration's `references`; and an Azure Firewall's private address,
//! which Azure's allocation rule fixes (see `allocation`). ARM keeps some
//! azurerm resources inside a parent (standalone rules and routes,
//! association resources, load balancer pools and rules): they are folded
//! into that parent's body. Every body keeps the position of its
//! resource's `address` in the plan, so each model object cites the line
//! that names it (`"address": "module.hub.azurerm_firewall.this"`).
//!
//! Terraform's HCL is not read: a folder of `.tf` files gets a hint on how
//! to produce the plan JSON ([`hcl_notice`]). Loaders know formats and
//! nothing of analysis.

mod aks;
mod allocation;
mod appgw;
mod azapi;
mod bastion;
mod build;
mod dns_lb;
mod firewall;
mod ids;
mod lb;
mod network;
mod plan;
mod vwan;

use crate::azure;
use crate::doc::{Doc, Node, Value};
use build::{id_ref, s, seq, Obj, Tr};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use tusk_core::{LoadError, Loc, Pos, Warning};

/// The `ADDRESS.PATH` of a value a plan knows only after apply, from the
/// marker text the translation writes for it (`[after apply: ADDRESS.PATH]`).
pub fn after_apply(text: &str) -> Option<&str> {
    text.strip_prefix("[after apply: ")?.strip_suffix(']')
}

/// Is this document `terraform show -json` output (or a raw state file)?
pub fn is_terraform(root: &Node) -> bool {
    root.get("terraform_version").is_some() && (root.get("format_version").is_some() || root.get("resources").is_some())
}

/// Translates a plan or state into ARM bodies and hands them to `az`.
pub fn add_document(d: &Doc, az: &mut azure::Builder, warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
    match arm_bodies(d, warnings)? {
        Some(root) => {
            // Each body's nodes sit inside their resource's object in the
            // plan: cite its address beside the line.
            let mut starts = Vec::new();
            resource_objects(&d.root, &mut starts);
            az.label_positions(&d.file, azure::Labels::new(starts));
            az.add_document(&Doc { file: d.file.clone(), root }, warnings)
        }
        None => Ok(()),
    }
}

/// Where each resource object of the plan starts and its `address`: the
/// objects with `address`, `mode` and `type` (planned values, prior state,
/// resource changes and configuration alike, in the JSON output format).
/// The format nests no resource object in another, so the walk does not
/// enter one (its attribute values are most of the plan).
fn resource_objects(n: &Node, out: &mut Vec<(Pos, Arc<str>)>) {
    match &n.value {
        Value::Map(m) => {
            if let (Some(a), Some(_), Some(_)) = (n.get("address").and_then(Node::as_str), n.get("mode"), n.get("type"))
            {
                out.push((n.pos, Arc::from(a)));
                return;
            }
            m.iter().for_each(|(_, v)| resource_objects(v, out));
        }
        Value::Seq(s) => s.iter().for_each(|v| resource_objects(v, out)),
        Value::Scalar { .. } => {}
    }
}

/// The ARM resource bodies a plan or state stands for, as one list (what
/// [`add_document`] gives the Azure loader); `None` for a raw state file.
pub fn arm_bodies(d: &Doc, warnings: &mut Vec<Warning>) -> Result<Option<Node>, LoadError> {
    let Some(version) = d.root.get("format_version") else {
        warnings.push(Warning {
            loc: d.loc(&d.root),
            message: "a raw Terraform state file is not read; run `terraform show -json > state.json` and pass that"
                .into(),
        });
        return Ok(None);
    };
    let major = version.as_str().and_then(|v| v.split('.').next()).and_then(|m| m.parse::<u32>().ok());
    if !matches!(major, Some(0 | 1)) {
        // "Reject any input which reports an unsupported major version"
        // (Terraform's JSON Output Format, format_version).
        return Err(LoadError::new(
            d.loc(version),
            "unsupported Terraform JSON `format_version` (tusk reads 0.x and 1.x)",
        ));
    }
    let plan = plan::Plan::read(&d.root);
    let mut tr = Tr::new(&plan, d.file.clone(), warnings);
    allocation::determine(&mut tr);
    let mut bodies: Vec<Body> = Vec::new();
    let mut folds: Vec<(usize, Fold)> = Vec::new();
    let mut skipped: BTreeMap<String, (usize, Pos)> = BTreeMap::new();
    for i in 0..plan.instances.len() {
        if !translate(&mut tr, i, &mut bodies, &mut folds)? {
            let x = tr.inst(i);
            skipped.entry(x.tf_type.clone()).or_insert((0, x.cite.pos)).0 += 1;
        }
    }
    // A VNet's `subnet` attribute is also computed: a state lists there the
    // subnets that `azurerm_subnet` resources manage. The resource wins
    // (associations attach to it).
    let standalone: HashSet<String> = bodies.iter().filter(|b| !b.inline).map(|b| scope_key(&b.id)).collect();
    bodies.retain(|b| !b.inline || !standalone.contains(&scope_key(&b.id)));
    let by_id: HashMap<String, usize> = bodies.iter().enumerate().map(|(i, b)| (scope_key(&b.id), i)).collect();
    // Items of an item (a pool's IP addresses) go last, after the item.
    let (inner, outer): (Vec<_>, Vec<_>) = folds.into_iter().partition(|(_, f)| matches!(f, Fold::PushIn(..)));
    for (i, f) in outer.into_iter().chain(inner) {
        apply(&mut tr, i, f, &mut bodies, &by_id);
    }
    for (t, (n, pos)) in skipped {
        tr.warn(pos, format!("{n} Terraform resource(s) of type `{t}` are not part of the network model; skipped"));
    }
    tr.warn_unknowns();
    let synthesised = tr.synthesised.borrow().clone();
    if let Some(&first) = synthesised.first() {
        let msg = format!(
            "{} resource id(s) are known only after apply (the first: {}); tusk synthesised them from subscription `{}`, resource group, parent and name, as ARM will build them, and linked resources through the configuration's references",
            synthesised.len(),
            tr.inst(first).address,
            tr.subscription
        );
        tr.warn(d.root.pos, msg);
    }
    Ok(Some(seq(d.root.pos, bodies.into_iter().map(Body::node).collect())))
}

/// One resource instance into bodies or folds; false if its type is not
/// part of the network model.
fn translate(tr: &mut Tr, i: usize, bodies: &mut Vec<Body>, folds: &mut Vec<(usize, Fold)>) -> Result<bool, LoadError> {
    let r = tr.root(i);
    let t = tr.inst(i).tf_type.clone();
    let parent = |tr: &Tr| tr.arm_id(i).and_then(|id| parent_of(&id));
    let fold = match t.as_str() {
        "azurerm_virtual_network" => {
            network::vnet(tr, i, bodies);
            return Ok(true);
        }
        "azurerm_subnet" => network::subnet(tr, i).into(),
        "azurerm_virtual_network_peering" => network::peering(tr, i).into(),
        "azurerm_network_security_group" => network::nsg(tr, i)?.into(),
        "azurerm_route_table" => network::route_table(tr, i)?.into(),
        "azurerm_network_interface" => network::nic(tr, i).into(),
        "azurerm_application_security_group" => {
            network::bare(tr, i, "Microsoft.Network/applicationSecurityGroups").into()
        }
        "azurerm_nat_gateway" => network::bare(tr, i, "Microsoft.Network/natGateways").into(),
        "azurerm_private_endpoint" => network::private_endpoint(tr, i).into(),
        "azurerm_public_ip" => network::public_ip(tr, i).into(),
        "azurerm_lb" => network::lb(tr, i).into(),
        "azurerm_virtual_network_gateway" => network::vnet_gateway(tr, i).into(),
        "azurerm_local_network_gateway" => network::local_gateway(tr, i).into(),
        "azurerm_virtual_network_gateway_connection" => network::connection(tr, i).into(),
        "azurerm_firewall" => firewall::firewall(tr, i).into(),
        "azurerm_firewall_policy" => firewall::policy(tr, i).into(),
        "azurerm_firewall_policy_rule_collection_group" => firewall::rule_collection_group(tr, i).into(),
        "azurerm_ip_group" => firewall::ip_group(tr, i).into(),
        "azurerm_kubernetes_cluster" => aks::cluster(tr, i).into(),
        "azurerm_kubernetes_cluster_node_pool" => aks::node_pool(tr, i).into(),
        "azapi_resource" => match azapi::resource(tr, i) {
            Some(b) => b.into(),
            None => return Ok(true),
        },
        "azurerm_resource_group" => return Ok(true),
        // A VM is not part of the network model, but its name is how users
        // name a NIC's endpoint (ARM: the NIC's `virtualMachine`).
        "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine" | "azurerm_virtual_machine" => {
            let Some(vm) = tr.arm_id(i) else { return Ok(true) };
            for nic in tr.ids(&r, "network_interface_ids") {
                let f = Fold::Set(nic.as_str().map(str::to_string), "virtualMachine", Some(s(nic.pos, vm.clone())));
                folds.push((i, f));
            }
            return Ok(true);
        }
        "azurerm_network_security_rule" => {
            Fold::Push(parent(tr), "securityRules", network::security_rule(tr, &r)).into()
        }
        "azurerm_route" => Fold::Push(parent(tr), "routes", network::route(tr, &r)?).into(),
        "azurerm_subnet_network_security_group_association" => {
            Fold::Set(str_id(tr, i, "subnet_id"), "networkSecurityGroup", tr.id(&r, "network_security_group_id")).into()
        }
        "azurerm_subnet_route_table_association" => {
            Fold::Set(str_id(tr, i, "subnet_id"), "routeTable", tr.id(&r, "route_table_id")).into()
        }
        "azurerm_subnet_nat_gateway_association" => {
            Fold::Set(str_id(tr, i, "subnet_id"), "natGateway", tr.id(&r, "nat_gateway_id")).into()
        }
        "azurerm_nat_gateway_public_ip_association" => match tr.id(&r, "public_ip_address_id") {
            Some(p) => Fold::Push(str_id(tr, i, "nat_gateway_id"), "publicIpAddresses", id_ref(p)).into(),
            None => return Ok(true),
        },
        "azurerm_network_interface_security_group_association" => Fold::Set(
            str_id(tr, i, "network_interface_id"),
            "networkSecurityGroup",
            tr.id(&r, "network_security_group_id"),
        )
        .into(),
        "azurerm_network_interface_application_security_group_association" => {
            match tr.id(&r, "application_security_group_id") {
                Some(a) => {
                    Fold::EachIpConfig(str_id(tr, i, "network_interface_id"), "applicationSecurityGroups", id_ref(a))
                        .into()
                }
                None => return Ok(true),
            }
        }
        "azurerm_firewall_network_rule_collection"
        | "azurerm_firewall_application_rule_collection"
        | "azurerm_firewall_nat_rule_collection" => {
            let kind = match t.as_str() {
                "azurerm_firewall_network_rule_collection" => firewall::Classic::Network,
                "azurerm_firewall_application_rule_collection" => firewall::Classic::Application,
                _ => firewall::Classic::Nat,
            };
            let fw = r
                .field("azure_firewall_name")
                .str()
                .map(|n| format!("{}Microsoft.Network/azureFirewalls/{n}", tr.group_prefix(i)));
            Fold::Push(fw, kind.arm_key(), firewall::classic_collection(tr, i, kind)).into()
        }
        "azurerm_lb_backend_address_pool" => {
            let mut o = Obj::new(r.pos);
            o.put("name", s(r.pos, tr.name(i)));
            Fold::Push(str_id(tr, i, "loadbalancer_id"), "backendAddressPools", o.node()).into()
        }
        "azurerm_private_dns_zone" => network::bare(tr, i, "Microsoft.Network/privateDnsZones").into(),
        "azurerm_application_gateway" => appgw::gateway(tr, i).into(),
        "azurerm_web_application_firewall_policy" => appgw::waf_policy(tr, i).into(),
        "azurerm_bastion_host" => bastion::host(tr, i).into(),
        "azurerm_virtual_hub" => vwan::hub(tr, i).into(),
        "azurerm_virtual_hub_connection" => vwan::connection(tr, i).into(),
        "azurerm_virtual_wan" => vwan::wan(tr, i).into(),
        "azurerm_virtual_hub_route_table" => vwan::route_table(tr, i).into(),
        "azurerm_virtual_hub_routing_intent" => vwan::routing_intent(tr, i).into(),
        "azurerm_virtual_hub_route_table_route" => match str_id(tr, i, "route_table_id") {
            Some(t) => {
                let route = vwan::route(tr, &r, Some(vwan::route_name(tr, i)));
                Fold::Push(Some(t), "routes", route).into()
            }
            None => return Ok(true),
        },
        "azurerm_private_dns_a_record" => dns_lb::a_record(tr, i).into(),
        "azurerm_private_dns_cname_record" => dns_lb::cname_record(tr, i).into(),
        "azurerm_private_dns_zone_virtual_network_link" => dns_lb::zone_link(tr, i).into(),
        "azurerm_lb_outbound_rule" => match str_id(tr, i, "loadbalancer_id") {
            Some(lb) => {
                let rule = dns_lb::outbound_rule(tr, i, &lb);
                Fold::Push(Some(lb), "outboundRules", rule).into()
            }
            None => return Ok(true),
        },
        "azurerm_lb_nat_pool" => match str_id(tr, i, "loadbalancer_id") {
            Some(lb) => {
                let pool = lb::nat_pool(tr, i);
                Fold::Push(Some(lb), "inboundNatPools", pool).into()
            }
            None => return Ok(true),
        },
        "azurerm_lb_backend_address_pool_address" => match str_id(tr, i, "backend_address_pool_id") {
            Some(pool) => {
                let (lb, name) = (parent_of(&pool), pool.rsplit('/').next().unwrap_or_default().to_string());
                Fold::PushIn(lb, name, "loadBalancerBackendAddresses", lb::pool_address(tr, i)).into()
            }
            None => return Ok(true),
        },
        "azurerm_subnet_service_endpoint_storage_policy" => {
            network::bare(tr, i, "Microsoft.Network/serviceEndpointPolicies").into()
        }
        "azurerm_lb_nat_rule" => match str_id(tr, i, "loadbalancer_id") {
            Some(lb) => {
                let rule = dns_lb::nat_rule(tr, i, &lb);
                Fold::Push(Some(lb), "inboundNatRules", rule).into()
            }
            None => return Ok(true),
        },
        // azurerm provider docs, network_interface_backend_address_pool_association:
        // `network_interface_id`, `ip_configuration_name` (required),
        // `backend_address_pool_id`; the pool goes on the named ip
        // configuration only, where ARM keeps it. A name known only after
        // apply puts the pool on every configuration, as before.
        "azurerm_network_interface_backend_address_pool_association" => match tr.id(&r, "backend_address_pool_id") {
            Some(pool) => {
                let nic = str_id(tr, i, "network_interface_id");
                match r.field("ip_configuration_name").str() {
                    Some(n) => {
                        Fold::IpConfig(nic, Ok(n.to_string()), "loadBalancerBackendAddressPools", id_ref(pool)).into()
                    }
                    None => Fold::EachIpConfig(nic, "loadBalancerBackendAddressPools", id_ref(pool)).into(),
                }
            }
            None => return Ok(true),
        },
        // azurerm provider docs,
        // network_interface_application_gateway_backend_address_pool_association:
        // `network_interface_id`, `ip_configuration_name`,
        // `backend_address_pool_id`; ARM keeps the membership on the NIC's
        // ip configuration (`applicationGatewayBackendAddressPools`,
        // networkInterface.json), as a template writes it.
        "azurerm_network_interface_application_gateway_backend_address_pool_association" => {
            match tr.id(&r, "backend_address_pool_id") {
                Some(pool) => {
                    let name = match r.field("ip_configuration_name").str() {
                        Some(n) => Ok(n.to_string()),
                        None => Err(tr.marker(&r.field("ip_configuration_name"))),
                    };
                    let nic = str_id(tr, i, "network_interface_id");
                    Fold::IpConfig(nic, name, "applicationGatewayBackendAddressPools", id_ref(pool)).into()
                }
                None => return Ok(true),
            }
        }
        "azurerm_lb_rule" => match str_id(tr, i, "loadbalancer_id") {
            Some(lb) => {
                let rule = network::lb_rule(tr, i, &lb);
                Fold::Push(Some(lb), "loadBalancingRules", rule).into()
            }
            None => return Ok(true),
        },
        _ => return Ok(false),
    };
    match fold {
        Out::Body(b) => bodies.push(*b),
        Out::Fold(f) => folds.push((i, f)),
    }
    Ok(true)
}

/// An id argument as text (known, resolved or the marker).
fn str_id(tr: &Tr, i: usize, arg: &str) -> Option<String> {
    tr.id(&tr.root(i), arg).and_then(|n| n.as_str().map(str::to_string))
}

fn parent_of(id: &str) -> Option<String> {
    let t = id.trim_end_matches('/');
    let cut = t.rfind('/')?;
    let cut = t[..cut].rfind('/')?;
    Some(t[..cut].to_string())
}

/// An ARM resource body under construction.
pub struct Body {
    /// The ARM id (Terraform's own when it recorded one, else synthesised from
    /// the address).
    pub id: String,
    /// The ARM resource type (`Microsoft.Network/virtualNetworks`).
    pub arm_type: String,
    /// Where the resource is in the plan file.
    pub pos: Pos,
    /// The ARM `properties` object being built from the Terraform attributes.
    pub props: Obj,
    /// Top-level keys besides id, type, name and properties.
    pub extra: Vec<(Node, Node)>,
    /// A subnet read from its VNet's `subnet` blocks.
    pub inline: bool,
}

impl Body {
    /// A body for instance `i` of the plan, of ARM type `arm_type`: its ARM id
    /// when Terraform knows it, else one made from the subscription and the
    /// instance's Terraform address.
    pub fn new(tr: &Tr, i: usize, arm_type: &str) -> Body {
        let id = tr.arm_id(i).unwrap_or_else(|| {
            format!(
                "/subscriptions/{}/resourceGroups/unknown/providers/{arm_type}/{}",
                tr.subscription,
                tr.inst(i).address
            )
        });
        Body::at(id, arm_type, tr.inst(i).cite.pos)
    }

    /// A body with the given id, type and position and no properties yet.
    pub fn at(id: String, arm_type: &str, pos: Pos) -> Body {
        Body { id, arm_type: arm_type.to_string(), pos, props: Obj::new(pos), extra: Vec::new(), inline: false }
    }

    fn node(self) -> Node {
        let name = self.id.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string();
        let mut o = Obj::new(self.pos);
        o.put("id", s(self.pos, self.id.clone()));
        o.put("type", s(self.pos, self.arm_type.clone()));
        o.put("name", s(self.pos, name));
        o.entries.extend(self.extra);
        o.put("properties", self.props.node());
        o.node()
    }
}

/// What a translation yields: a body, or a change to another body.
enum Out {
    Body(Box<Body>),
    Fold(Fold),
}

impl From<Body> for Out {
    fn from(b: Body) -> Out {
        Out::Body(Box::new(b))
    }
}

impl From<Fold> for Out {
    fn from(f: Fold) -> Out {
        Out::Fold(f)
    }
}

/// A change to the body of another resource, by that resource's id.
enum Fold {
    /// Append an item to a list property.
    Push(Option<String>, &'static str, Node),
    /// Set a reference property (`{"id": ...}`).
    Set(Option<String>, &'static str, Option<Node>),
    /// Append an item to a list property of every ip configuration.
    EachIpConfig(Option<String>, &'static str, Node),
    /// Append an item to a list property of the ip configuration named
    /// `.1`; when its name is not known (`Err`: the marker), an item whose
    /// id is that marker goes to every configuration, so that each may be
    /// in the list and what depends on it is unknown.
    IpConfig(Option<String>, Result<String, Node>, &'static str, Node),
    /// Append an item to the list `.2` of the item named `.1` of the list
    /// `backendAddressPools` (a pool's `loadBalancerBackendAddresses`).
    PushIn(Option<String>, String, &'static str, Node),
}

/// An id without its subscription, lower-cased: plans mix ids Terraform
/// knows with ids tusk synthesised under another subscription name.
fn scope_key(id: &str) -> String {
    let k = id.to_ascii_lowercase();
    match k.find("/resourcegroups/") {
        Some(i) => k[i..].to_string(),
        None => k,
    }
}

fn apply(tr: &mut Tr, i: usize, f: Fold, bodies: &mut [Body], by_id: &HashMap<String, usize>) {
    let (target, key) = match &f {
        Fold::Push(t, k, _)
        | Fold::Set(t, k, _)
        | Fold::EachIpConfig(t, k, _)
        | Fold::IpConfig(t, _, k, _)
        | Fold::PushIn(t, _, k, _) => (t.clone(), *k),
    };
    let addr = tr.inst(i).address.clone();
    let pos = tr.inst(i).cite.pos;
    let Some(target) = target else {
        tr.warn(pos, format!("{addr}: the resource it belongs to is not known; its `{key}` is left out"));
        return;
    };
    let Some(b) = by_id.get(&scope_key(&target)).map(|&k| &mut bodies[k]) else {
        tr.warn(
            pos,
            format!("{addr}: `{target}` is not in the plan; its `{key}` cannot be attached there and is left out"),
        );
        return;
    };
    match f {
        Fold::Push(_, k, item) => push(&mut b.props.entries, k, item),
        Fold::Set(_, k, Some(v)) => {
            b.props.entries.retain(|(x, _)| x.as_str() != Some(k));
            b.props.put(k, id_ref(v));
        }
        Fold::Set(_, _, None) => {}
        Fold::PushIn(_, pool, k, item) => lb::push_in_pool(&mut b.props.entries, &pool, k, item),
        Fold::EachIpConfig(_, k, item) => {
            for_ip_configs(b, |_, pe| push(pe, k, item.clone()));
        }
        Fold::IpConfig(_, Ok(name), k, item) => {
            let mut found = false;
            for_ip_configs(b, |n, pe| {
                if n.is_some_and(|n| n.eq_ignore_ascii_case(&name)) {
                    found = true;
                    push(pe, k, item.clone());
                }
            });
            if !found {
                let msg = format!("{addr}: `{target}` has no ip configuration `{name}`; its `{key}` is left out");
                tr.warn(pos, msg);
            }
        }
        Fold::IpConfig(_, Err(marker), k, _) => {
            for_ip_configs(b, |_, pe| push(pe, k, id_ref(marker.clone())));
        }
    }
}

/// Calls `f` with the name and the `properties` entries of every ip
/// configuration of a NIC body.
fn for_ip_configs(b: &mut Body, mut f: impl FnMut(Option<&str>, &mut Vec<(Node, Node)>)) {
    for (x, v) in b.props.entries.iter_mut() {
        if x.as_str() != Some("ipConfigurations") {
            continue;
        }
        let Value::Seq(configs) = &mut v.value else { continue };
        for c in configs {
            let Value::Map(entries) = &mut c.value else { continue };
            let name = entries.iter().find(|(x, _)| x.as_str() == Some("name")).and_then(|(_, v)| v.as_str());
            let name = name.map(str::to_string);
            if let Some((_, p)) = entries.iter_mut().find(|(x, _)| x.as_str() == Some("properties")) {
                if let Value::Map(pe) = &mut p.value {
                    f(name.as_deref(), pe);
                }
            }
        }
    }
}

/// Appends `item` to the list `key`, or replaces the item of the same
/// `name`: a parent's inline list is also computed (a state's NSG lists the
/// rules that `azurerm_network_security_rule` resources manage), and the
/// standalone resource is the same rule, not a second one.
fn push(entries: &mut Vec<(Node, Node)>, key: &str, item: Node) {
    let name = |n: &Node| n.get("name").and_then(Node::as_str).map(str::to_string);
    if let Some((_, v)) = entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
        if let Value::Seq(items) = &mut v.value {
            let same = name(&item).and_then(|n| items.iter().position(|i| name(i).as_deref() == Some(n.as_str())));
            match same {
                Some(k) => items[k] = item,
                None => items.push(item),
            }
            return;
        }
    }
    let pos = item.pos;
    entries.push((s(pos, key), seq(pos, vec![item])));
}

/// When the input `files` hold Terraform configuration (`.tf` files): a note that
/// HCL is not read, and how to produce what is. The caller makes it an
/// error when nothing else was found, a warning otherwise.
pub fn hcl_notice(files: &[PathBuf]) -> Option<(Loc, String)> {
    let first = files.iter().find(|f| f.extension().is_some_and(|e| e == "tf"))?;
    let msg = "Terraform configuration (HCL) is not read; give tusk the plan as JSON: `terraform plan -out tfplan && terraform show -json tfplan > plan.json` (or the state: `terraform show -json > state.json`)";
    Some((Loc::new(Arc::from(first.display().to_string()), Pos::default()), msg.to_string()))
}
