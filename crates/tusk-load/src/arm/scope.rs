//! Where a template deploys (tenant, management group, subscription or
//! resource group) and the functions that read it: `resourceGroup()`,
//! `subscription()`, `deployment()`, `environment()`, the `resourceId`
//! family, and `reference()` to resources and nested deployments of the
//! input (Microsoft Learn, "Resource functions for ARM templates",
//! "Deployment functions for ARM templates").
//!
//! Offline, the subscription id is not known unless a plan gives it: ids
//! use the nil GUID in its place, so that the ids of one input still match
//! each other, and any function that would hash or print it
//! (`uniqueString(subscription().id)`) is unknown instead.

use super::eval::Env;
use super::funcs::property;
use super::value::{Obj, Val};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The stand-in subscription id when none is given.
pub const NIL_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    Tenant,
    ManagementGroup(String),
    Subscription,
    ResourceGroup(String),
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub subscription: String,
    pub level: Level,
}

impl Scope {
    /// `/subscriptions/S` or `/subscriptions/S/resourceGroups/G`, etc.
    pub fn id(&self) -> String {
        match &self.level {
            Level::Tenant => String::new(),
            Level::ManagementGroup(m) => format!("/providers/Microsoft.Management/managementGroups/{m}"),
            Level::Subscription => format!("/subscriptions/{}", self.subscription),
            Level::ResourceGroup(g) => format!("/subscriptions/{}/resourceGroups/{g}", self.subscription),
        }
    }

    pub fn group(&self) -> Option<&str> {
        match &self.level {
            Level::ResourceGroup(g) => Some(g),
            _ => None,
        }
    }
}

/// State shared by every template of one evaluation: the bodies of the
/// resources deployed so far and the outputs of nested deployments, by
/// lower-cased id, for `reference()`.
#[derive(Default)]
pub struct Shared {
    pub resources: RefCell<HashMap<String, Body>>,
    pub deployments: RefCell<HashMap<String, Val>>,
}

/// A deployed resource's body: the evaluated node the Azure loader reads,
/// turned into a [`Val`] only when `reference()` or the firewall's address
/// rule first reads it. Most bodies are never read that way; converting
/// (and later dropping) every one of them was a third of evaluating a large
/// template.
pub enum Body {
    Node(Rc<crate::doc::Node>),
    Val(Val),
}

impl Shared {
    /// The body of the resource with lower-cased id `key`, as a value.
    pub fn resource(&self, key: &str) -> Option<Val> {
        let mut map = self.resources.borrow_mut();
        let body = map.get_mut(key)?;
        if let Body::Node(n) = body {
            *body = Body::Val(super::value::evaluated_node_val(n));
        }
        match body {
            Body::Val(v) => Some(v.clone()),
            Body::Node(_) => None,
        }
    }
}

/// `{scope}/providers/{ns}/{t1}/{n1}/{t2}/{n2}`.
pub fn resource_id(scope_id: &str, full_type: &str, names: &[&str]) -> Option<String> {
    let mut segs = full_type.split('/');
    let ns = segs.next()?;
    let types: Vec<&str> = segs.collect();
    let names: Vec<&str> = names.iter().flat_map(|n| n.split('/')).collect();
    if types.is_empty() || types.len() != names.len() {
        return None;
    }
    let mut id = format!("{scope_id}/providers/{ns}");
    for (t, n) in types.iter().zip(names) {
        id.push('/');
        id.push_str(t);
        id.push('/');
        id.push_str(n);
    }
    Some(id)
}

fn strs(vals: &[Val]) -> Result<Vec<&str>, Val> {
    vals.iter()
        .map(|v| match v {
            Val::Str(s) => Ok(&**s),
            Val::Unknown(_) => Err(v.clone()),
            other => Err(Val::unknown(format!("a resource id part is a {}, not a string", other.type_name()))),
        })
        .collect()
}

/// The context functions; `None` for a function that is not one of them.
pub fn call(env: &Env, name: &str, vals: &[Val]) -> Option<Val> {
    let sc = &env.scope;
    let v = match name {
        "resourceid" => id_fn(vals, |a| {
            // resourceId([subscriptionId], [resourceGroupName], type, names...):
            // the type is the first argument with a '/'.
            let t = a.iter().position(|x| x.contains('/')).unwrap_or(0);
            let (sub, group) = match t {
                0 => (sc.subscription.as_str(), sc.group()),
                1 => (sc.subscription.as_str(), Some(a[0])),
                _ => (a[0], Some(a[1])),
            };
            let scope_id = match group {
                Some(g) => format!("/subscriptions/{sub}/resourceGroups/{g}"),
                None => format!("/subscriptions/{sub}"),
            };
            resource_id(&scope_id, a[t], &a[t + 1..])
        }),
        "subscriptionresourceid" => id_fn(vals, |a| {
            let t = a.iter().position(|x| x.contains('/')).unwrap_or(0);
            let sub = if t == 1 { a[0] } else { sc.subscription.as_str() };
            resource_id(&format!("/subscriptions/{sub}"), a[t], &a[t + 1..])
        }),
        "tenantresourceid" => id_fn(vals, |a| resource_id("", a[0], &a[1..])),
        "managementgroupresourceid" => id_fn(vals, |a| {
            let t = a.iter().position(|x| x.contains('/')).unwrap_or(0);
            let mg = match (t, &sc.level) {
                (1, _) => a[0].to_string(),
                (_, Level::ManagementGroup(m)) => m.clone(),
                _ => return None,
            };
            resource_id(&format!("/providers/Microsoft.Management/managementGroups/{mg}"), a[t], &a[t + 1..])
        }),
        "extensionresourceid" => id_fn(vals, |a| resource_id(a[0].trim_end_matches('/'), a.get(1)?, &a[2..])),
        "resourcegroup" => match sc.group() {
            Some(g) => Val::obj(vec![
                ("id".into(), Val::str(sc.id())),
                ("name".into(), Val::str(g)),
                ("type".into(), Val::str("Microsoft.Resources/resourceGroups")),
                ("location".into(), Val::unknown("the resource group's location is not in the input")),
                ("tags".into(), Val::obj(vec![])),
                ("properties".into(), Val::obj(vec![("provisioningState".into(), Val::str("Succeeded"))])),
            ]),
            None => Val::unknown("resourceGroup() is used in a template that is not deployed to a resource group"),
        },
        "subscription" => Val::obj(vec![
            ("id".into(), Val::str(format!("/subscriptions/{}", sc.subscription))),
            ("subscriptionId".into(), Val::str(sc.subscription.as_str())),
            ("tenantId".into(), Val::unknown("the tenant id is not in the input")),
            ("displayName".into(), Val::unknown("the subscription's name is not in the input")),
        ]),
        "tenant" => Val::unknown("tenant() is not in the input"),
        "managementgroup" => match &sc.level {
            Level::ManagementGroup(m) => Val::obj(vec![
                ("id".into(), Val::str(sc.id())),
                ("name".into(), Val::str(m.as_str())),
                ("type".into(), Val::str("Microsoft.Management/managementGroups")),
            ]),
            _ => Val::unknown("managementGroup() outside a management group deployment"),
        },
        "deployment" => env.deployment.clone(),
        "environment" => environment(),
        "reference" => reference(env, vals),
        "uniquestring" | "guid" if mentions_nil_subscription(vals) => Val::unknown(format!(
            "{name}() of the subscription id, which the input does not give (a deployment plan can)"
        )),
        _ => return None,
    };
    Some(v)
}

fn mentions_nil_subscription(vals: &[Val]) -> bool {
    vals.iter().any(|v| v.as_str().is_some_and(|s| s.contains(NIL_SUBSCRIPTION)))
}

fn id_fn(vals: &[Val], f: impl FnOnce(&[&str]) -> Option<String>) -> Val {
    match strs(vals) {
        Ok(a) if !a.is_empty() => match f(&a) {
            Some(id) => Val::str(id),
            None => Val::unknown(format!("cannot build a resource id from ({})", a.join(", "))),
        },
        Ok(_) => Val::unknown("a resource id function needs arguments"),
        Err(v) => v,
    }
}

/// `environment()` of Azure's public cloud, the cloud these templates are
/// written for (values from the `environment` function's documented output).
fn environment() -> Val {
    let s = |x: &str| Val::str(x);
    Val::obj(vec![
        ("name".into(), s("AzureCloud")),
        ("gallery".into(), s("https://gallery.azure.com/")),
        ("graph".into(), s("https://graph.windows.net/")),
        ("portal".into(), s("https://portal.azure.com")),
        ("resourceManager".into(), s("https://management.azure.com/")),
        (
            "authentication".into(),
            Val::obj(vec![
                ("loginEndpoint".into(), s("https://login.microsoftonline.com/")),
                (
                    "audiences".into(),
                    Val::arr(vec![s("https://management.core.windows.net/"), s("https://management.azure.com/")]),
                ),
                ("tenant".into(), s("common")),
                ("identityProvider".into(), s("AAD")),
            ]),
        ),
        (
            "suffixes".into(),
            Val::obj(vec![
                ("acrLoginServer".into(), s(".azurecr.io")),
                ("azureDatalakeAnalyticsCatalogAndJob".into(), s("azuredatalakeanalytics.net")),
                ("azureDatalakeStoreFileSystem".into(), s("azuredatalakestore.net")),
                ("azureFrontDoorEndpointSuffix".into(), s("azurefd.net")),
                ("keyvaultDns".into(), s(".vault.azure.net")),
                ("sqlServerHostname".into(), s(".database.windows.net")),
                ("storage".into(), s("core.windows.net")),
            ]),
        ),
    ])
}

/// `reference(nameOrId, [apiVersion], ['full'])`: a nested deployment of
/// the input gives `{outputs}`, a resource of the input its evaluated body
/// (its `properties` unless `'full'`), as an open object: what the
/// template does not set is known only after deployment.
fn reference(env: &Env, vals: &[Val]) -> Val {
    let target = match vals.first() {
        Some(Val::Str(s)) => s.to_string(),
        Some(Val::Unknown(u)) => return Val::Unknown(u.clone()),
        _ => return Val::unknown("reference() needs a resource name or id"),
    };
    let full = vals.get(2).and_then(Val::as_str).is_some_and(|m| m.eq_ignore_ascii_case("full"));
    let id = if target.starts_with('/') {
        target.clone()
    } else {
        match env.symbols.borrow().get(&target.to_ascii_lowercase()) {
            Some(Val::Str(id)) => id.to_string(),
            Some(Val::Unknown(u)) => return Val::Unknown(u.clone()),
            _ => return Val::unknown(format!("reference('{target}'): no resource of that name in the template")),
        }
    };
    let key = id.to_ascii_lowercase();
    if let Some(outputs) = env.shared.deployments.borrow().get(&key) {
        let props = Val::obj(vec![("outputs".into(), outputs.clone())]);
        return if full { Val::obj(vec![("properties".into(), props)]) } else { props };
    }
    let body = env.shared.resource(&key);
    match body {
        Some(b) => {
            let what = format!("`{}`", id.rsplit('/').next().unwrap_or(&id));
            let v = if full { b } else { property(&b, "properties") };
            open(v, &what)
        }
        None => Val::unknown(format!("reference() to `{id}`, which is not deployed by the input")),
    }
}

/// Marks an object and the objects in it as a resource's partial state.
fn open(v: Val, what: &str) -> Val {
    match v {
        Val::Obj(o) => Val::Obj(Rc::new(Obj {
            entries: o.entries.iter().map(|(k, v)| (k.clone(), open(v.clone(), what))).collect(),
            open: Some(what.to_string()),
        })),
        Val::Arr(a) => Val::arr(a.iter().map(|v| open(v.clone(), what)).collect()),
        Val::Unknown(_) => v,
        // A resource read before its body was known: still its runtime state.
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_interleave_types_and_names() {
        let id =
            resource_id("/subscriptions/s/resourceGroups/g", "Microsoft.Network/virtualNetworks/subnets", &["v", "s"]);
        assert_eq!(
            id.as_deref(),
            Some("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/s")
        );
        assert_eq!(
            resource_id("", "Microsoft.Network/virtualNetworks/subnets", &["v/s"]).as_deref(),
            Some("/providers/Microsoft.Network/virtualNetworks/v/subnets/s")
        );
        assert!(resource_id("", "Microsoft.Network/virtualNetworks", &["a", "b"]).is_none());
    }
}
