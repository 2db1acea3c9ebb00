//! AKS's ip-masq-agent ConfigMaps (`kube-system/azure-ip-masq-agent-config`,
//! the user's, and `…-reconciled`, AKS's): each data value is the agent's
//! YAML configuration, whose `nonMasqueradeCIDRs` are the destinations a
//! pod's source address is kept for (Kubernetes docs, "IP Masquerade Agent
//! User Guide": `nonMasqueradeCIDRs`, `masqLinkLocal`, `resyncInterval`;
//! AKS, "Configure Azure CNI Overlay"/ip-masq-agent-v2, which merges every
//! file of its config directory). Other keys are ignored, as the agent
//! does; a CIDR the agent would reject is a located error.

use super::fields::Cx;
use crate::doc::{parse_documents, Node};
use std::sync::Arc;
use tusk_core::ip::Cidr;
use tusk_core::{LoadError, Loc, Pos};
use tusk_model::k8s::IpMasqConfig;

/// Is `namespace/name` one of the ConfigMaps AKS's ip-masq-agent reads?
pub fn is_ip_masq(namespace: &str, name: &str) -> bool {
    namespace == "kube-system"
        && (name == "azure-ip-masq-agent-config" || name == "azure-ip-masq-agent-config-reconciled")
}

pub fn config(cx: Cx, n: &Node, name: &str) -> Result<IpMasqConfig, LoadError> {
    let mut non_masquerade = Vec::new();
    if let Some(data) = n.get("data") {
        for (k, v) in cx.map(data, "data")? {
            let Some(text) = v.as_str() else {
                return Err(
                    cx.err(v, format!("`data.{}` must be a string (the agent's YAML)", k.as_str().unwrap_or("?")))
                );
            };
            let inner: Arc<str> = Arc::from(format!("{} (ConfigMap {name})", cx.doc.file));
            let docs = parse_documents(&inner, text)
                .map_err(|e| cx.err(v, format!("the ip-masq-agent configuration is not YAML: {e}")))?;
            for d in docs {
                let Some(list) = d.root.get("nonMasqueradeCIDRs") else { continue };
                let Some(items) = list.as_seq() else {
                    return Err(cx.err(v, "`nonMasqueradeCIDRs` must be a list of CIDRs"));
                };
                for it in items {
                    let s = it.as_str().unwrap_or_default();
                    let c = Cidr::parse(s).map_err(|e| {
                        // In a block scalar (`|`), the configuration's own
                        // lines and columns shift by where the value starts.
                        let (outer, inner) = (cx.loc(v).pos, d.loc(it).pos);
                        let pos = Pos { line: outer.line + inner.line - 1, col: outer.col + inner.col - 1 };
                        LoadError::new(
                            Loc::new(cx.doc.file.clone(), pos),
                            format!("nonMasqueradeCIDRs: `{s}` is not a CIDR: {e}"),
                        )
                    })?;
                    non_masquerade.push(c);
                }
            }
        }
    }
    Ok(IpMasqConfig { name: format!("kube-system/{name}"), non_masquerade, loc: cx.loc(n) })
}
