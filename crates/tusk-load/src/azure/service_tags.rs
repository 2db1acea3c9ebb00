//! Microsoft's published service tags: the `ServiceTags_Public_*.json` file
//! of the Download Center, or `az network list-service-tags` /
//! `Get-AzNetworkServiceTag` output (the same shape: `changeNumber`,
//! `cloud`, and `values`, each with `name` and `properties.region` /
//! `properties.addressPrefixes`; "Azure service tags", virtual-network/service-tags-overview,
//! "Discover service tags by using downloadable JSON files").
//!
//! The file is recognised by that shape, whatever its name. It is the only
//! source of the address ranges of tags other than VirtualNetwork, Internet
//! and AzureLoadBalancer; without it those tags stay unknown.

use crate::doc::{Doc, Node};
use std::collections::BTreeMap;
use tusk_core::ip::Cidr;
use tusk_core::{LoadError, Warning};
use tusk_model::azure::{ServiceTags, TagPrefixes};

/// Does this document have the service tags file's shape?
pub fn is_service_tags(root: &Node) -> bool {
    let Some(values) = root.get("values").and_then(Node::as_seq) else { return false };
    (root.get("changeNumber").is_some() || root.get("cloud").is_some())
        && values.iter().all(|v| v.get("name").is_some() && prefixes_node(v).is_some())
}

fn prefixes_node(v: &Node) -> Option<&Node> {
    v.get("properties").and_then(|p| p.get("addressPrefixes")).filter(|n| n.as_seq().is_some())
}

pub fn read(doc: &Doc) -> Result<ServiceTags, LoadError> {
    let root = &doc.root;
    let mut tags = BTreeMap::new();
    for v in root.get("values").and_then(Node::as_seq).unwrap_or_default() {
        let name_node = v.get("name").expect("checked by is_service_tags");
        let name = name_node.as_str().ok_or_else(|| LoadError::new(doc.loc(name_node), "a tag name is a string"))?;
        let region = v.get("properties").and_then(|p| p.get("region")).and_then(Node::as_str).unwrap_or_default();
        let mut prefixes = Vec::new();
        for p in prefixes_node(v).and_then(Node::as_seq).unwrap_or_default() {
            let c = p
                .as_str()
                .and_then(|s| Cidr::parse_prefix_or_addr(s.trim()).ok())
                .ok_or_else(|| LoadError::new(doc.loc(p), format!("service tag {name}: not an address prefix")))?;
            prefixes.push(c);
        }
        let t = TagPrefixes { name: name.to_string(), region: region.to_string(), prefixes };
        tags.insert(name.to_ascii_lowercase(), t);
    }
    Ok(ServiceTags { loc: doc.loc(root), change_number: root.get("changeNumber").and_then(Node::as_i64), tags })
}

/// Keeps the first service tags file; a second one is a warning, since
/// two versions would disagree on some ranges.
pub fn add(slot: &mut Option<ServiceTags>, doc: &Doc, warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
    let t = read(doc)?;
    match slot {
        Some(first) => warnings.push(Warning {
            loc: t.loc,
            message: format!("a second service tags file; the one at {} is used", first.loc),
        }),
        None => *slot = Some(t),
    }
    Ok(())
}
