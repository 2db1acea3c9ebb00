//! The Azure loader: ARM resource bodies, `az ... -o json` output, REST list
//! responses, Azure REST example files and ARM templates into one
//! [`AzureNetwork`].
//!
//! [`Builder::add_document`] reads each resource as it comes and leaves its
//! references unresolved; [`Builder::finish`] attaches subnets, peerings and
//! rule collection groups to their parents and resolves every reference by
//! id, case-insensitively (ARM templates' ids, which lack subscription and
//! group, match on their `providers/...` part).
//!
//! A reference whose target is missing is an error when the inputs hold
//! other resources of the target's type in the target's resource group
//! (the export covers that type there, so the id is dangling: a typo or a
//! deleted resource); when they hold none of that type (the user exported
//! only VNets, say), or the target lies in another resource group or
//! subscription, it stays [`Link::Absent`] with one warning, and analyses
//! answer "unknown" where it matters. This is what lets a partial export,
//! or a single REST example, load at all. `az resource list` output, which
//! names resources without their properties, is skipped with a warning.
//!
//! Loaders know formats and nothing of analysis.

pub mod aks;
mod appgw;
mod bastion;
mod cx;
mod dns;
mod firewall;
mod network;
mod resolve;
mod security;
mod service_tags;
mod shape;
mod skipped;
pub(crate) use skipped::worth_reading;
mod vwan;
mod vwan_routing;

use crate::doc::{Doc, Node};
use cx::{Cx, PendingRef};
use network::{PendingPeering, PendingSubnet};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tusk_core::{LoadError, Loc, Warning};
use tusk_model::azure::*;

pub use cx::Labels;
pub use service_tags::is_service_tags;
pub use shape::is_azure;

/// Is this `az resource list` output (every resource with `properties:
/// null`, so no network data)?
pub fn is_resource_listing(root: &Node) -> bool {
    shape::resource_listing(root).is_some()
}

/// Builds an [`AzureNetwork`] from any number of documents (resource
/// listings, `az` output, evaluated ARM resources), then resolves the
/// references between resources in [`Builder::finish`].
#[derive(Default)]
pub struct Builder {
    net: AzureNetwork,
    subnets: Vec<PendingSubnet>,
    peerings: Vec<PendingPeering>,
    groups: Vec<RuleCollectionGroup>,
    policy_group_refs: Vec<Vec<ResourceId>>,
    /// Security rules and routes declared as resources of their own (ARM
    /// templates' child resources), with their parent's id.
    child_rules: Vec<(ResourceId, SecurityRule)>,
    child_routes: Vec<(ResourceId, Route)>,
    refs: Vec<PendingRef>,
    /// Where each resource id was first defined, to report duplicates.
    defined: HashMap<String, Loc>,
    /// Types (lower-cased) of which the inputs hold at least one resource.
    loaded_types: HashSet<String>,
    /// AKS clusters and pools, resolved against the network in `lib.rs`.
    aks: aks::Builder,
    /// Per file, the object names to print beside positions (Terraform
    /// resource addresses, see [`Builder::label_positions`]).
    labels: HashMap<Arc<str>, cx::Labels>,
    /// Virtual hub children, joined to their hubs in `finish`.
    hub_children: vwan::Pending,
    /// `firewallPolicies/ruleGroups` (the 2019 preview API before rule
    /// collection groups): rules tusk does not read, so their policy's
    /// verdicts are unknown (they count as missing groups of it).
    legacy_rule_groups: Vec<ResourceId>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("azure::Builder").finish_non_exhaustive()
    }
}

impl Builder {
    /// Did any document yield an Azure resource?
    pub fn is_empty(&self) -> bool {
        self.defined.is_empty() && self.net.service_tags.is_none()
    }

    /// Microsoft's service tags file (see [`service_tags`]).
    pub fn add_service_tags(&mut self, doc: &Doc, warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
        service_tags::add(&mut self.net.service_tags, doc, warnings)
    }

    /// Names every location this builder makes in `file` after the
    /// region of `labels` that holds it (a Terraform plan's resource
    /// objects by their address), so citations print it beside file:line.
    pub fn label_positions(&mut self, file: &Arc<str>, labels: cx::Labels) {
        self.labels.insert(file.clone(), labels);
    }

    /// The AKS part, to be finished once the network is (pools name subnets).
    pub fn take_aks(&mut self) -> aks::Builder {
        std::mem::take(&mut self.aks)
    }

    /// Reads one document: every network resource in it is added; a resource of
    /// a type tusk does not read is skipped with a warning, a malformed one is a
    /// located [`LoadError`].
    pub fn add_document(&mut self, doc: &Doc, warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
        if let Some(n) = shape::resource_listing(&doc.root) {
            let message = format!("`az resource list` output: its {n} resource(s) have `properties: null`, so they carry no network data (addresses, rules, routes); skipped. Export each type instead (`az network vnet list`, `az network nsg list`, ...)");
            warnings.push(Warning { loc: doc.loc(&doc.root), message });
            return Ok(());
        }
        let (resources, skipped) = shape::resources(&doc.root);
        for n in skipped {
            warnings.push(Warning {
                loc: doc.loc(n),
                message: "not an Azure resource (no literal `id` or `type` and `name`); skipped".into(),
            });
        }
        for r in resources {
            self.add_resource(doc, r, warnings)?;
        }
        Ok(())
    }

    /// A resource evaluated from an ARM template (see `crate::arm`).
    pub fn add_evaluated(&mut self, r: crate::arm::Evaluated, warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
        let doc = Doc { file: r.file, root: std::rc::Rc::unwrap_or_clone(r.node) };
        let raw = shape::RawResource { node: &doc.root, id: ResourceId::new(r.id), type_key: r.type_key };
        self.add_resource(&doc, raw, warnings)
    }

    fn add_resource(&mut self, doc: &Doc, r: shape::RawResource, warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
        let t = r.type_key.as_str();
        let short = t.rsplit('/').next().unwrap_or(t).to_string();
        let object = format!("{short} {}", r.id.name());
        let labels = self.labels.get(&doc.file);
        let loc = cx::labelled(doc.loc(r.node), labels);
        if let Some(first) = self.defined.get(r.id.key()) {
            warnings.push(Warning {
                loc,
                message: format!("{object} is defined again; the definition at {first} is used"),
            });
            return Ok(());
        }
        let mut cx = Cx { file: doc.file.clone(), labels, warnings, refs: &mut self.refs, object };
        let n: &Node = r.node;
        let id = r.id.clone();
        let net = &mut self.net;
        match t {
            "microsoft.network/virtualnetworks" => {
                let v = network::vnet(&mut cx, id, n, &mut self.subnets, &mut self.peerings)?;
                net.vnets.push(v);
            }
            "microsoft.network/virtualnetworks/subnets" => {
                let parent = r.id.parent().unwrap_or_else(|| r.id.clone());
                let s = network::subnet(&mut cx, id, n)?;
                self.subnets.push(PendingSubnet { parent, subnet: s });
            }
            "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
                let parent = r.id.parent().unwrap_or_else(|| r.id.clone());
                let p = network::peering(&mut cx, id, n)?;
                self.peerings.push(PendingPeering { parent, peering: p });
            }
            "microsoft.network/networksecuritygroups" => net.nsgs.push(security::nsg(&mut cx, id, n)?),
            // A child resource is part of its parent: skipping it would leave
            // the parent's rule list incomplete and its verdicts unsound.
            "microsoft.network/networksecuritygroups/securityrules" => {
                let mut rule = security::security_rule(&mut cx, n, false)?;
                rule.name = r.id.name().to_string();
                self.child_rules.push((r.id.parent().unwrap_or_else(|| r.id.clone()), rule));
            }
            "microsoft.network/routetables/routes" => {
                let mut route = network::route(&mut cx, n)?;
                route.name = r.id.name().to_string();
                self.child_routes.push((r.id.parent().unwrap_or_else(|| r.id.clone()), route));
            }
            "microsoft.network/applicationsecuritygroups" => net.asgs.push(Asg { id, loc: cx.loc(n) }),
            "microsoft.network/routetables" => net.route_tables.push(network::route_table(&mut cx, id, n)?),
            "microsoft.network/networkinterfaces" => net.nics.push(network::nic(&mut cx, id, n)?),
            "microsoft.network/azurefirewalls" => {
                if let Some(hub) = vwan_routing::hub_of(n) {
                    self.hub_children.firewalls.push((hub, id.clone()));
                }
                net.firewalls.push(firewall::firewall(&mut cx, id, n)?)
            }
            "microsoft.network/firewallpolicies" => {
                let (p, refs) = firewall::policy(&mut cx, id, n)?;
                net.firewall_policies.push(p);
                self.policy_group_refs.push(refs);
            }
            // Exports (`az network firewall policy rule-collection-group
            // show/list`) spell the type short, `Microsoft.Network/RuleCollectionGroups`;
            // the id still names the parent policy.
            "microsoft.network/firewallpolicies/rulecollectiongroups" | "microsoft.network/rulecollectiongroups" => {
                self.groups.push(firewall::rule_collection_group(&mut cx, id, n)?)
            }
            "microsoft.network/ipgroups" => net.ip_groups.push(firewall::ip_group(&mut cx, id, n)?),
            "microsoft.network/virtualnetworkgateways" => {
                net.vnet_gateways.push(network::vnet_gateway(&mut cx, id, n)?)
            }
            "microsoft.network/localnetworkgateways" => {
                net.local_gateways.push(network::local_gateway(&mut cx, id, n)?)
            }
            "microsoft.network/connections" => net.connections.push(network::connection(&mut cx, id, n)?),
            "microsoft.network/privateendpoints" => {
                net.private_endpoints.push(network::private_endpoint(&mut cx, id, n)?)
            }
            "microsoft.network/natgateways" => net.nat_gateways.push(network::nat_gateway(&mut cx, id, n)),
            "microsoft.network/publicipaddresses" => net.public_ips.push(network::public_ip(&mut cx, id, n)?),
            "microsoft.network/loadbalancers" => net.load_balancers.push(network::load_balancer(&mut cx, id, n)?),
            "microsoft.network/networkmanagers/securityadminconfigurations/rulecollections/rules" => {
                let kind = n.get_ci("kind").and_then(Node::as_str).unwrap_or("Custom");
                if kind.eq_ignore_ascii_case("Default") {
                    cx.warn(n, "default admin rules name their content by id only; skipped");
                    return Ok(());
                }
                net.admin_rules.push(security::admin_rule(&mut cx, id, n)?)
            }
            "microsoft.network/virtualhubs" => net.virtual_hubs.push(vwan::hub(&mut cx, id, n)),
            "microsoft.network/virtualhubs/hubvirtualnetworkconnections" => {
                let parent = r.id.parent().unwrap_or_else(|| r.id.clone());
                match vwan::connection(&mut cx, id, n) {
                    Some(c) => self.hub_children.connections.push((parent, c)),
                    None => return Ok(()),
                }
            }
            "microsoft.network/virtualhubs/routingintent" => {
                let parent = r.id.parent().unwrap_or_else(|| r.id.clone());
                self.hub_children.intents.push((parent, vwan::routing_intent(&mut cx, n)));
            }
            "microsoft.network/virtualhubs/hubroutetables" => {
                let parent = r.id.parent().unwrap_or_else(|| r.id.clone());
                let t = vwan_routing::route_table(&mut cx, id, n);
                self.hub_children.route_tables.push((parent, t));
            }
            // A Virtual WAN groups hubs; its type (Basic / Standard) decides
            // whether hubs route between VNets at all.
            "microsoft.network/virtualwans" => self.hub_children.wans.push(vwan_routing::wan(&mut cx, id, n)),
            // Gateways and NVAs in a hub learn branch routes (BGP) that the
            // inputs do not hold ("About virtual hub routing").
            "microsoft.network/vpngateways"
            | "microsoft.network/expressroutegateways"
            | "microsoft.network/p2svpngateways"
            | "microsoft.network/networkvirtualappliances" => {
                let kind = match t {
                    "microsoft.network/vpngateways" => AttachmentKind::VpnGateway,
                    "microsoft.network/expressroutegateways" => AttachmentKind::ExpressRouteGateway,
                    "microsoft.network/p2svpngateways" => AttachmentKind::PointToSiteGateway,
                    _ => AttachmentKind::VirtualAppliance,
                };
                let a = vwan_routing::attachment(&mut cx, id, n, kind);
                self.hub_children.attachments.push(a);
            }
            "microsoft.network/applicationgateways" => {
                if let Some(g) = appgw::gateway(&mut cx, id.clone(), n) {
                    net.app_gateways.push(g);
                }
                net.opaque_devices.push(vwan::opaque(&mut cx, id, n, OpaqueKind::ApplicationGateway))
            }
            "microsoft.network/applicationgatewaywebapplicationfirewallpolicies" => {
                net.waf_policies.push(appgw::waf_policy(&mut cx, id, n))
            }
            "microsoft.network/bastionhosts" => {
                net.bastions.push(bastion::host(&mut cx, id.clone(), n));
                net.opaque_devices.push(vwan::opaque(&mut cx, id, n, OpaqueKind::Bastion))
            }
            "microsoft.containerservice/managedclusters" => self.aks.add_cluster(&mut cx, id, n)?,
            "microsoft.containerservice/managedclusters/agentpools" => self.aks.add_pool(&mut cx, id, n)?,
            "microsoft.network/firewallpolicies/rulegroups" => {
                cx.warn(n, "firewall policy rule group (2019 preview API): its rules are not read, so verdicts of the firewalls using its policy are unknown");
                self.legacy_rule_groups.push(id);
            }
            "microsoft.network/privatednszones" => net.private_dns.zones.push(dns::zone(&mut cx, id, n)),
            "microsoft.network/privatednszones/a" => net.private_dns.a_records.push(dns::a_record(&mut cx, id, n)?),
            "microsoft.network/privatednszones/cname" => {
                net.private_dns.cname_records.push(dns::cname_record(&mut cx, id, n))
            }
            "microsoft.network/privatednszones/virtualnetworklinks" => {
                net.private_dns.links.push(dns::link(&mut cx, id, n))
            }
            _ => {
                skipped::apply(&mut cx, net, id, t, &r.type_key, n);
                return Ok(());
            }
        }
        self.defined.insert(r.id.key().to_string(), loc);
        self.loaded_types.insert(if t == "microsoft.network/virtualnetworks/subnets" {
            "microsoft.network/virtualnetworks".to_string()
        } else {
            t.to_string()
        });
        if t == "microsoft.network/virtualnetworks" {
            self.loaded_types.insert("microsoft.network/virtualnetworks/subnets".into());
        }
        Ok(())
    }

    /// Resolves the references between the resources read (a subnet's NSG and
    /// route table, a peering's remote VNet, a NIC's subnet, ...) and returns the
    /// network. Located [`LoadError`]s: two NSG rules of one direction with one
    /// priority (Azure requires unique priorities), a reference to a resource of
    /// the wrong type, and a dangling reference when other resources of that
    /// type were loaded.
    pub fn finish(mut self, warnings: &mut Vec<Warning>) -> Result<AzureNetwork, LoadError> {
        let hubs = std::mem::take(&mut self.hub_children);
        let legacy = std::mem::take(&mut self.legacy_rule_groups);
        let mut net = resolve::finish(self, warnings)?;
        for g in legacy {
            let parent = g.parent();
            if let Some(p) =
                net.firewall_policies.iter_mut().find(|p| parent.as_ref().is_some_and(|x| x.key() == p.id.key()))
            {
                p.missing_groups.push(g);
            }
        }
        vwan::attach(&mut net, hubs, warnings);
        Ok(net)
    }
}
