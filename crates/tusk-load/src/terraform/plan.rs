//! Reading the Terraform JSON document itself: the resource instances of
//! `planned_values` (a plan) or `values` (a state), each with what the plan
//! does not know yet (`resource_changes[].change.after_unknown`) and its
//! configuration block (`configuration`, whose expressions list the
//! `references` each argument is built from), and the resolution of those
//! references to other resource instances, through module inputs
//! (`var.x`) and outputs (`module.m.x`).
//!
//! The format is HashiCorp's "JSON Output Format"
//! (developer.hashicorp.com/terraform/internals/json-format). This module
//! knows nothing of Azure.

use crate::doc::Node;
use std::collections::HashMap;

/// One resource instance of the plan or state.
pub struct Instance<'a> {
    /// The absolute address, e.g. `module.hub.azurerm_firewall.this`.
    pub address: String,
    /// The module instance it lives in (`module.spoke["a"]`), empty at the root.
    pub module: String,
    pub tf_type: String,
    pub name: String,
    /// The instance key as written in addresses (`0`, `"a"`), if any.
    pub key: Option<String>,
    /// The node to cite: the `address` value of the resource object.
    pub cite: &'a Node,
    pub values: &'a Node,
    /// `after_unknown` of the planned change, for a plan.
    pub unknown: Option<&'a Node>,
    /// The `expressions` of the resource's configuration block.
    pub config: Option<&'a Node>,
}

pub struct Plan<'a> {
    pub instances: Vec<Instance<'a>>,
    by_address: HashMap<String, usize>,
    /// Instances by module instance and `type.name`.
    by_resource: HashMap<(String, String), Vec<usize>>,
    /// Configuration modules by call path without instance keys (`""`,
    /// `module.hub`).
    modules: HashMap<String, &'a Node>,
    pub is_plan: bool,
}

/// What an argument is expected to hold of the resource it references.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Its `id` (`azurerm_subnet.a.id`).
    Id,
    /// An Azure Firewall's private address
    /// (`azurerm_firewall.hub.ip_configuration[0].private_ip_address`).
    FirewallIp,
}

impl Want {
    fn accepts(self, tf_type: &str, rest: &[(String, Option<String>)]) -> bool {
        match self {
            Want::Id => rest.is_empty() || (rest.len() == 1 && rest[0].0 == "id"),
            Want::FirewallIp => {
                tf_type == "azurerm_firewall"
                    && rest.first().is_some_and(|(n, _)| n == "ip_configuration")
                    && rest.last().is_some_and(|(n, _)| n == "private_ip_address")
            }
        }
    }
}

/// What a reference resolved to.
pub enum Target {
    Instance(usize),
    /// Why it could not be resolved to a single instance.
    Unresolved(String),
}

impl<'a> Plan<'a> {
    pub fn read(root: &'a Node) -> Plan<'a> {
        let is_plan = root.get("planned_values").is_some();
        let values = root.get("planned_values").or_else(|| root.get("values"));
        let mut unknown: HashMap<&str, &Node> = HashMap::new();
        for c in root.get("resource_changes").and_then(Node::as_seq).unwrap_or_default() {
            if let (Some(a), Some(u)) =
                (c.get("address").and_then(Node::as_str), c.get("change").and_then(|ch| ch.get("after_unknown")))
            {
                unknown.insert(a, u);
            }
        }
        let mut modules = HashMap::new();
        if let Some(m) = root.get("configuration").and_then(|c| c.get("root_module")) {
            collect_modules(m, String::new(), &mut modules);
        }
        let mut plan =
            Plan { instances: Vec::new(), by_address: HashMap::new(), by_resource: HashMap::new(), modules, is_plan };
        if let Some(m) = values.and_then(|v| v.get("root_module")) {
            plan.collect(m, "", &unknown);
        }
        plan
    }

    fn collect(&mut self, m: &'a Node, module: &str, unknown: &HashMap<&str, &'a Node>) {
        for r in m.get("resources").and_then(Node::as_seq).unwrap_or_default() {
            if r.get("mode").and_then(Node::as_str) != Some("managed") {
                continue; // data sources describe what exists outside the plan
            }
            let (Some(addr_node), Some(t), Some(name)) =
                (r.get("address"), r.get("type").and_then(Node::as_str), r.get("name").and_then(Node::as_str))
            else {
                continue;
            };
            let Some(address) = addr_node.as_str() else { continue };
            let key = r.get("index").map(|i| match i.as_i64() {
                Some(n) if !matches!(&i.value, crate::doc::Value::Scalar { quoted: true, .. }) => n.to_string(),
                _ => format!("{:?}", i.as_str().unwrap_or_default()),
            });
            let empty = &EMPTY;
            let config = self
                .modules
                .get(&strip_keys(module))
                .and_then(|cm| cm.get("resources").and_then(Node::as_seq))
                .and_then(|rs| {
                    rs.iter().find(|c| {
                        c.get("type").and_then(Node::as_str) == Some(t)
                            && c.get("name").and_then(Node::as_str) == Some(name)
                            && c.get("mode").and_then(Node::as_str) != Some("data")
                    })
                })
                .and_then(|c| c.get("expressions"));
            self.by_address.insert(address.to_string(), self.instances.len());
            self.by_resource.entry((module.to_string(), format!("{t}.{name}"))).or_default().push(self.instances.len());
            self.instances.push(Instance {
                address: address.to_string(),
                module: module.to_string(),
                tf_type: t.to_string(),
                name: name.to_string(),
                key,
                cite: addr_node,
                values: r.get("values").unwrap_or(empty),
                unknown: unknown.get(address).copied(),
                config,
            });
        }
        for c in m.get("child_modules").and_then(Node::as_seq).unwrap_or_default() {
            let addr = c.get("address").and_then(Node::as_str).unwrap_or_default().to_string();
            self.collect(c, &addr, unknown);
        }
    }

    pub fn get(&self, address: &str) -> Option<usize> {
        self.by_address.get(address).copied()
    }

    /// Resolves an argument's `references` (as listed in its expression) in
    /// module instance `module`, for an instance of key `from_key`, to the
    /// resource whose `id` the argument holds.
    pub fn resolve(&self, module: &str, refs: &[&str], from_key: Option<&str>, want: Want, depth: u32) -> Target {
        if depth > 8 {
            return Target::Unresolved("the reference chain is too deep".into());
        }
        let repeat = refs.iter().any(|r| matches!(*r, "each.key" | "each.value" | "count.index"));
        let mut seen: Vec<String> = Vec::new();
        for r in refs {
            let segs = split_ref(r);
            let Some((head, _)) = segs.first() else { continue };
            match head.as_str() {
                "var" => {
                    let Some((var, _)) = segs.get(1) else { continue };
                    return self.resolve_var(module, var, want, depth);
                }
                "module" => {
                    let (Some((call, key)), Some((out, _))) = (segs.get(1), segs.get(2)) else { continue };
                    return self.resolve_output(module, call, key.as_deref(), out, want, depth);
                }
                "data" | "local" | "each" | "count" | "path" | "self" | "terraform" => continue,
                _ => {}
            }
            let (Some((t, _)), Some((name, key))) = (segs.first(), segs.get(1)) else { continue };
            let resource = format!("{t}.{name}");
            if seen.contains(&resource) {
                continue; // a shorter form of a reference already judged
            }
            seen.push(resource.clone());
            // The most specific form comes first: `x.y.id` names the id;
            // `x.y.subnet[0].id` names something inside x.y, not its id.
            if !want.accepts(t, &segs[2..]) {
                return Target::Unresolved(format!("`{r}` is not what the argument needs"));
            }
            let prefix = if module.is_empty() { String::new() } else { format!("{module}.") };
            let base = format!("{prefix}{resource}");
            if let Some(k) = key {
                return match self.get(&format!("{base}[{k}]")) {
                    Some(i) => Target::Instance(i),
                    None => Target::Unresolved(format!("`{base}[{k}]` is not in the plan")),
                };
            }
            if let Some(i) = self.get(&base) {
                return Target::Instance(i);
            }
            let all = self.by_resource.get(&(module.to_string(), resource.clone())).map_or(0, Vec::len);
            if let (true, Some(k)) = (repeat, from_key) {
                if let Some(i) = self.get(&format!("{base}[{k}]")) {
                    return Target::Instance(i);
                }
            }
            return match all {
                0 => Target::Unresolved(format!("`{base}` is not in the plan")),
                n => Target::Unresolved(format!("`{base}` has {n} instances and the reference does not say which")),
            };
        }
        Target::Unresolved("no resource among the references".into())
    }

    fn resolve_var(&self, module: &str, var: &str, want: Want, depth: u32) -> Target {
        let Some((parent, call, key)) = split_last_module(module) else {
            return Target::Unresolved(format!("root variable `var.{var}` is an input of the plan"));
        };
        let expr = self
            .modules
            .get(&strip_keys(&parent))
            .and_then(|m| m.get("module_calls"))
            .and_then(|c| c.get(&call))
            .and_then(|c| c.get("expressions"))
            .and_then(|e| e.get(var));
        match expr.map(references) {
            Some(refs) if !refs.is_empty() => self.resolve(&parent, &refs, key.as_deref(), want, depth + 1),
            _ => Target::Unresolved(format!("`var.{var}` of `{module}` has no references")),
        }
    }

    fn resolve_output(&self, module: &str, call: &str, key: Option<&str>, out: &str, want: Want, depth: u32) -> Target {
        let prefix = if module.is_empty() { String::new() } else { format!("{module}.") };
        let child = match key {
            Some(k) => format!("{prefix}module.{call}[{k}]"),
            None => format!("{prefix}module.{call}"),
        };
        let expr = self
            .modules
            .get(&strip_keys(&child))
            .and_then(|m| m.get("outputs"))
            .and_then(|o| o.get(out))
            .and_then(|o| o.get("expression"));
        match expr.map(references) {
            Some(refs) if !refs.is_empty() => self.resolve(&child, &refs, None, want, depth + 1),
            _ => Target::Unresolved(format!("output `{out}` of `{child}` has no references")),
        }
    }
}

static EMPTY: Node = Node { pos: tusk_core::Pos { line: 0, col: 0 }, value: crate::doc::Value::Map(Vec::new()) };

/// The `references` of an expression representation.
pub fn references(expr: &Node) -> Vec<&str> {
    expr.get("references").and_then(Node::as_seq).unwrap_or_default().iter().filter_map(Node::as_str).collect()
}

fn collect_modules<'a>(m: &'a Node, path: String, out: &mut HashMap<String, &'a Node>) {
    if let Some(calls) = m.get("module_calls").and_then(Node::as_map) {
        for (k, c) in calls {
            if let (Some(name), Some(child)) = (k.as_str(), c.get("module")) {
                let p = if path.is_empty() { format!("module.{name}") } else { format!("{path}.module.{name}") };
                collect_modules(child, p, out);
            }
        }
    }
    out.insert(path, m);
}

/// Splits an address or reference on dots outside brackets and quotes into
/// (name, key) steps: `module.a["x.y"].b[0]` gives module, a["x.y"], b[0].
pub fn split_ref(s: &str) -> Vec<(String, Option<String>)> {
    let mut parts = Vec::new();
    let (mut cur, mut depth, mut quoted, mut esc) = (String::new(), 0, false, false);
    for ch in s.chars() {
        if quoted {
            cur.push(ch);
            if esc {
                esc = false;
            } else if ch == '\\' {
                esc = true;
            } else if ch == '"' {
                quoted = false;
            }
            continue;
        }
        match ch {
            '"' => {
                quoted = true;
                cur.push(ch);
            }
            '[' => {
                depth += 1;
                cur.push(ch);
            }
            ']' => {
                depth -= 1;
                cur.push(ch);
            }
            '.' if depth == 0 => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    parts.push(cur);
    parts
        .into_iter()
        .map(|p| match p.find('[') {
            Some(i) if p.ends_with(']') => (p[..i].to_string(), Some(p[i + 1..p.len() - 1].to_string())),
            _ => (p, None),
        })
        .collect()
}

/// `module.a["k"].module.b` without instance keys: `module.a.module.b`.
pub fn strip_keys(module: &str) -> String {
    if module.is_empty() {
        return String::new();
    }
    split_ref(module).into_iter().map(|(n, _)| n).collect::<Vec<_>>().join(".")
}

/// `module.a.module.b["k"]` into (`module.a`, `b`, Some(`"k"`)).
fn split_last_module(module: &str) -> Option<(String, String, Option<String>)> {
    let steps = split_ref(module);
    if steps.len() < 2 {
        return None;
    }
    let (call, key) = steps[steps.len() - 1].clone();
    let parent: Vec<String> = steps[..steps.len() - 2]
        .iter()
        .map(|(n, k)| match k {
            Some(k) => format!("{n}[{k}]"),
            None => n.clone(),
        })
        .collect();
    Some((parent.join("."), call, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_on_dots_outside_keys() {
        let s = split_ref("module.a[\"x.y\"].azurerm_subnet.s[0].id");
        assert_eq!(s[1], ("a".to_string(), Some("\"x.y\"".to_string())));
        assert_eq!(s[3], ("s".to_string(), Some("0".to_string())));
        assert_eq!(strip_keys("module.a[\"k\"].module.b"), "module.a.module.b");
        assert_eq!(
            split_last_module("module.a.module.b[\"k\"]"),
            Some(("module.a".to_string(), "b".to_string(), Some("\"k\"".to_string())))
        );
    }
}
