//! Walking a template as ARM deploys it: parameters (given values, then
//! defaults), variables, user-defined functions, then each resource with
//! its `condition` and `copy` loop, child resources nested in `resources`,
//! `existing` resources and symbolic names (`languageVersion` 2.0), and
//! nested deployments (inline `template` or a `templateLink` to another
//! file of the input) into their own scope, whose outputs later
//! `reference()` calls read. `dependsOn` orders deployment and has no
//! meaning for the network, so it is ignored (resources are evaluated in
//! the order written, which Bicep's output respects).
//!
//! Resources of `Microsoft.Network` types come out as evaluated bodies with
//! full ids, for the Azure loader; other types are counted and skipped.

use super::alloc;
use super::eval::{Env, Frame, Res, Udf};
use super::scope::{resource_id, Body, Level, Scope, Shared};
use super::value::{Unknown, Val};
use crate::doc::{Doc, Node, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use tusk_core::{LoadError, Loc, Warning};

/// One evaluated network resource, ready for the Azure loader.
pub struct Evaluated {
    /// The file of the template the resource came from.
    pub file: Arc<str>,
    /// The resource with every expression evaluated, in the shape of an ARM
    /// resource listing (`id`, `type`, `name`, `properties`).
    /// Shared with the evaluation's record of deployed resources, which
    /// `reference()` reads; the only owner once evaluation ends.
    pub node: Rc<Node>,
    /// The resource's ARM id, as `resourceId()` would give it.
    pub id: String,
    /// The full resource type, lower-cased (`microsoft.network/virtualnetworks/subnets`).
    pub type_key: String,
}

pub struct Walker<'n, 'w> {
    pub shared: Rc<Shared>,
    pub out: Vec<Evaluated>,
    pub warnings: &'w mut Vec<Warning>,
    /// Template documents of the input by file name, for `templateLink`.
    pub files: &'n HashMap<String, &'n Doc>,
    /// Resource types outside the network model, with their count.
    pub skipped_types: BTreeMap<String, usize>,
    pub depth: usize,
    /// `runtimeValues:` of `tusk.yaml`, and which of them were applied.
    pub runtime: &'n [super::plan::RuntimeValue],
    pub runtime_used: &'n RefCell<Vec<bool>>,
    /// Bodies moved out of the templates, to evaluate in place.
    pub bodies: &'n super::inplace::Bodies,
}

/// A deployment to run: the template, its parameter values, its scope.
pub struct Deployment<'n> {
    pub file: Arc<str>,
    pub template: &'n Node,
    pub params: HashMap<String, Val>,
    pub scope: Scope,
    pub deployment: Val,
}

fn loc(file: &Arc<str>, n: &Node) -> Loc {
    Loc::new(file.clone(), n.pos)
}

/// A key of a map node, case-insensitive, null values included.
pub(super) fn key<'a>(n: &'a Node, k: &str) -> Option<&'a Node> {
    n.as_map()?.iter().find(|(kn, _)| kn.as_str().is_some_and(|s| s.eq_ignore_ascii_case(k))).map(|(_, v)| v)
}

impl<'n> Walker<'n, '_> {
    fn warn(&mut self, file: &Arc<str>, n: &Node, msg: impl Into<String>) {
        self.warnings.push(Warning { loc: loc(file, n), message: msg.into() });
    }

    /// Builds a template's context: parameters, variables and functions.
    pub fn env(&mut self, d: Deployment<'n>) -> Res<Env<'n>> {
        let t = d.template;
        let mut env = Env {
            file: d.file.clone(),
            params: HashMap::new(),
            var_src: HashMap::new(),
            vars: RefCell::new(HashMap::new()),
            var_busy: RefCell::new(Vec::new()),
            udfs: HashMap::new(),
            scope: d.scope,
            deployment: d.deployment,
            symbols: RefCell::new(HashMap::new()),
            shared: self.shared.clone(),
            unknown_written: std::cell::Cell::new(false),
            error: RefCell::new(None),
        };
        let mut given = d.params;
        let decls = key(t, "parameters").and_then(Node::as_map).unwrap_or_default();
        let mut defaults = Vec::new();
        for (k, decl) in decls {
            let name = k.as_str().unwrap_or_default().to_string();
            let lname = name.to_ascii_lowercase();
            let v = match given.remove(&lname) {
                Some(v) => super::params::coerce(decl, v),
                None => match key(decl, "defaultValue") {
                    Some(dv) => {
                        defaults.push((lname.clone(), dv));
                        Val::unknown(format!("the default of parameter `{name}` refers to itself"))
                    }
                    // languageVersion 2.0: a nullable parameter without a value is null.
                    None if super::params::nullable(t, decl) => Val::Null,
                    None => {
                        self.warn(
                            &d.file,
                            k,
                            format!(
                                "parameter `{name}` has no value (no default; give it with --param {name}=VALUE or --parameters FILE); what depends on it is unknown"
                            ),
                        );
                        Val::Unknown(Rc::new(Unknown {
                            reason: format!("parameter `{name}` has no value"),
                            param: Some(name.clone()),
                        }))
                    }
                },
            };
            env.params.insert(lname, v);
        }
        // A default may read parameters declared after it; ARM resolves
        // them in dependency order, which repeated passes reach.
        for _ in 0..3.min(defaults.len()) {
            for (lname, dv) in &defaults {
                let v = env.eval_node(dv, &Frame::default())?;
                env.params.insert(lname.clone(), v);
            }
        }
        if let Some(vars) = key(t, "variables").and_then(Node::as_map) {
            for (k, v) in vars {
                let name = k.as_str().unwrap_or_default();
                if name.eq_ignore_ascii_case("copy") && v.as_seq().is_some() {
                    // Variable iteration: each entry defines a variable.
                    let wrapper = Node { pos: k.pos, value: Value::Map(vec![(k.clone(), v.clone())]) };
                    if let Val::Obj(o) = env.eval_node(&wrapper, &Frame::default())? {
                        for (n, val) in &o.entries {
                            env.vars.borrow_mut().insert(n.to_ascii_lowercase(), val.clone());
                        }
                    }
                    continue;
                }
                env.var_src.insert(name.to_ascii_lowercase(), v);
            }
        }
        for ns in key(t, "functions").and_then(Node::as_seq).unwrap_or_default() {
            let Some(prefix) = key(ns, "namespace").and_then(Node::as_str) else { continue };
            for (k, f) in key(ns, "members").and_then(Node::as_map).unwrap_or_default() {
                let params = key(f, "parameters")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|p| key(p, "name").and_then(Node::as_str).map(str::to_string))
                    .collect();
                if let Some(out) = key(f, "output").and_then(|o| key(o, "value")) {
                    let name = format!("{prefix}.{}", k.as_str().unwrap_or_default()).to_ascii_lowercase();
                    env.udfs.insert(name, Rc::new(Udf { params, output: out }));
                }
            }
        }
        Ok(env)
    }

    /// Runs a deployment and returns its outputs (`{name: {type, value}}`).
    pub fn deploy(&mut self, d: Deployment<'n>) -> Res<Val> {
        let template = d.template;
        let scope = d.scope.clone();
        let env = self.env(d)?;
        self.resources(&env, template, &scope, &Frame::default())?;
        let out = self.outputs(&env, template);
        env.take_error()?;
        out
    }

    fn outputs(&mut self, env: &Env<'n>, t: &'n Node) -> Res<Val> {
        let mut outs = Vec::new();
        for (k, o) in key(t, "outputs").and_then(Node::as_map).unwrap_or_default() {
            if let Some(c) = key(o, "condition") {
                if matches!(env.eval_node(c, &Frame::default())?, Val::Bool(false)) {
                    continue;
                }
            }
            let value = match (key(o, "value"), key(o, "copy")) {
                (Some(v), _) => env.eval_node(v, &Frame::default())?,
                (None, Some(c)) => match key(c, "count").map(|n| env.eval_node(n, &Frame::default())).transpose()? {
                    Some(Val::Int(n)) if (0..=800).contains(&n) => {
                        let input = key(c, "input").unwrap_or(c);
                        let mut items = Vec::new();
                        for i in 0..n {
                            let g = Frame { copy: vec![(String::new(), i)], ..Frame::default() };
                            items.push(env.eval_node(input, &g)?);
                        }
                        Val::arr(items)
                    }
                    Some(Val::Unknown(u)) => Val::Unknown(u),
                    _ => Val::unknown("an output copy loop without a valid count"),
                },
                _ => Val::Null,
            };
            let ty = key(o, "type").and_then(Node::as_str).unwrap_or("object");
            outs.push((
                k.as_str().unwrap_or_default().to_string(),
                Val::obj(vec![("type".into(), Val::str(ty)), ("value".into(), value)]),
            ));
        }
        Ok(Val::obj(outs))
    }

    /// The resources of a template (array, or object of symbolic names).
    fn resources(&mut self, env: &Env<'n>, t: &'n Node, scope: &Scope, f: &Frame) -> Res<()> {
        let list: Vec<(Option<&str>, &'n Node)> = match key(t, "resources").map(|r| &r.value) {
            Some(Value::Seq(items)) => items.iter().map(|r| (None, r)).collect(),
            Some(Value::Map(m)) => m.iter().map(|(k, r)| (k.as_str(), r)).collect(),
            _ => Vec::new(),
        };
        for (sym, r) in super::order::dependency_order(env, list, f) {
            self.resource(env, r, sym, None, scope, f)?;
        }
        Ok(())
    }

    fn resource(
        &mut self,
        env: &Env<'n>,
        r: &'n Node,
        sym: Option<&str>,
        parent: Option<(&str, &str)>,
        scope: &Scope,
        f: &Frame,
    ) -> Res<()> {
        let file = env.file.clone();
        if key(r, "existing").and_then(Node::as_bool) == Some(true) {
            if let Some(s) = sym {
                let id = self.instance_id(env, r, parent, scope, f)?.0;
                env.symbols.borrow_mut().insert(s.to_ascii_lowercase(), id);
            }
            return Ok(());
        }
        let Some(copy) = key(r, "copy") else {
            return self.instance(env, r, sym, parent, scope, f);
        };
        let name = key(copy, "name").and_then(Node::as_str).unwrap_or_default().to_ascii_lowercase();
        let count = match key(copy, "count") {
            Some(c) => env.eval_node(c, f)?,
            None => Val::Int(0),
        };
        match count {
            Val::Int(n) if (0..=800).contains(&n) => {
                for i in 0..n {
                    let mut g = f.clone();
                    g.copy.push((String::new(), i));
                    g.copy.push((name.clone(), i));
                    self.instance(env, r, None, parent, scope, &g)?;
                }
                Ok(())
            }
            Val::Unknown(u) => {
                self.warn(&file, copy, format!("copy loop `{name}`: its count is unknown ({}); not loaded", u.reason));
                Ok(())
            }
            other => Err(LoadError::new(
                loc(&file, copy),
                format!("copy loop `{name}`: count must be an integer 0-800, not {}", other.to_json()),
            )),
        }
    }

    /// (id, type, name) of a resource instance; the id is unknown when its
    /// name or scope is.
    fn instance_id(
        &mut self,
        env: &Env<'n>,
        r: &'n Node,
        parent: Option<(&str, &str)>,
        scope: &Scope,
        f: &Frame,
    ) -> Res<(Val, String, Val)> {
        let ty = match key(r, "type") {
            Some(t) => env.eval_node(t, f)?,
            None => return Err(LoadError::new(loc(&env.file, r), "a template resource needs a `type`")),
        };
        let name = match key(r, "name") {
            Some(n) => env.eval_node(n, f)?,
            None => return Err(LoadError::new(loc(&env.file, r), "a template resource needs a `name`")),
        };
        let Val::Str(ty) = ty else {
            return Err(LoadError::new(loc(&env.file, r), "a template resource's `type` must be a string"));
        };
        let (full_type, full_name) = match (parent, &name) {
            (Some((pt, pn)), Val::Str(n)) if !ty.contains('.') => (format!("{pt}/{ty}"), Val::str(format!("{pn}/{n}"))),
            (Some((pt, _)), _) if !ty.contains('.') => (format!("{pt}/{ty}"), name.clone()),
            _ => (ty.to_string(), name.clone()),
        };
        let id = match &full_name {
            Val::Str(n) => match resource_id(&scope.id(), &full_type, &[n]) {
                Some(id) => Val::str(id),
                None => {
                    return Err(LoadError::new(
                        loc(&env.file, r),
                        format!("name `{n}` does not fit type `{full_type}` (one name segment per type segment)"),
                    ))
                }
            },
            other => other.clone(),
        };
        Ok((id, full_type, full_name))
    }

    fn instance(
        &mut self,
        env: &Env<'n>,
        r: &'n Node,
        sym: Option<&str>,
        parent: Option<(&str, &str)>,
        scope: &Scope,
        f: &Frame,
    ) -> Res<()> {
        let r2 = self.instance_inner(env, r, sym, parent, scope, f);
        env.take_error()?;
        r2
    }

    #[allow(clippy::too_many_arguments)]
    fn instance_inner(
        &mut self,
        env: &Env<'n>,
        r: &'n Node,
        sym: Option<&str>,
        parent: Option<(&str, &str)>,
        scope: &Scope,
        f: &Frame,
    ) -> Res<()> {
        let file = env.file.clone();
        if let Some(c) = key(r, "condition") {
            match env.eval_node(c, f)? {
                Val::Bool(false) => return Ok(()),
                Val::Bool(true) => {}
                Val::Unknown(u) => self.warn(
                    &file,
                    c,
                    format!("condition is unknown ({}); the resource is loaded as if it were deployed", u.reason),
                ),
                other => {
                    return Err(LoadError::new(
                        loc(&file, c),
                        format!("condition must be a bool, not {}", other.to_json()),
                    ))
                }
            }
        }
        let (id, full_type, full_name) = self.instance_id(env, r, parent, scope, f)?;
        let type_key = full_type.to_ascii_lowercase();
        if let Some(s) = sym {
            env.symbols.borrow_mut().insert(s.to_ascii_lowercase(), id.clone());
        }
        if let Val::Str(n) = &full_name {
            env.symbols.borrow_mut().entry(n.to_ascii_lowercase()).or_insert_with(|| id.clone());
        }
        if type_key == "microsoft.resources/deployments" {
            return self.nested(env, r, &full_name, scope, f);
        }
        if let (Some(children), Val::Str(n)) = (key(r, "resources").and_then(Node::as_seq), &full_name) {
            for c in children {
                self.resource(env, c, None, Some((&full_type, n)), scope, f)?;
            }
        }
        // The network model and the AKS cluster model (managedClusters and
        // their agentPools) are what tusk reads; other types only exist.
        // Other types that could change a verdict (a scale set, a service
        // injected into a subnet; docs/azure.md, "Resource types tusk
        // skips") go to the loader too, which makes what they touch unknown.
        let read = type_key.starts_with("microsoft.network/")
            || type_key.starts_with("microsoft.containerservice/managedclusters")
            || crate::azure::worth_reading(&type_key, r);
        if !read {
            *self.skipped_types.entry(full_type).or_default() += 1;
            if let Val::Str(id) = &id {
                // Known to exist, its state known only to Azure.
                let state = Val::Obj(Rc::new(super::value::Obj { entries: Vec::new(), open: Some(format!("`{id}`")) }));
                self.shared.resources.borrow_mut().insert(id.to_ascii_lowercase(), Body::Val(state));
            }
            return Ok(());
        }
        let id = match id {
            Val::Str(id) => id.to_string(),
            Val::Unknown(u) => {
                let msg = format!("the name of this {full_type} is unknown: {}", u.reason);
                if let Some(p) = &u.param {
                    return Err(LoadError::new(
                        loc(&file, r),
                        format!("{msg}; give parameter `{p}` a value (--param {p}=VALUE)"),
                    ));
                }
                self.warn(&file, r, format!("{msg}; not loaded"));
                return Ok(());
            }
            other => {
                return Err(LoadError::new(loc(&file, r), format!("name must be a string, not {}", other.to_json())))
            }
        };
        env.unknown_written.set(false);
        let mut node = self.body(env, r, f)?;
        // Whether the body may hold an unknown value (a runtime value may
        // write anything).
        let mut may_be_unknown = env.unknown_written.get();
        for (k, rv) in self.runtime.iter().enumerate().filter(|(_, rv)| rv.matches(&id)) {
            if rv.apply(&mut node) {
                may_be_unknown = true;
                self.runtime_used.borrow_mut()[k] = true;
                self.warn(&file, r, format!("`{id}`: a runtime value from {} is used", rv.loc));
            } else {
                return Err(LoadError::new(rv.loc.clone(), format!("runtime value: the path does not fit `{id}`")));
            }
        }
        if type_key == "microsoft.network/azurefirewalls" {
            let subnet = alloc::firewall_subnet(&super::value::evaluated_node_val(&node));
            let prefix = subnet.as_deref().and_then(|s| alloc::subnet_prefix(&self.shared, s));
            if let (Some(s), Some(p)) = (subnet, prefix) {
                if let Some(ip) = alloc::firewall_ip(&s, &p) {
                    alloc::set_first_private_ip(&mut node, &ip.to_string());
                    self.warn(&file, r, format!(
                        "firewall `{id}`: private IP {ip} determined by Azure's dynamic allocation (the only allocation in AzureFirewallSubnet {p}: its first unreserved address)"
                    ));
                }
            }
        }
        if let Some((field, p)) =
            may_be_unknown.then(|| super::params::critical_missing_param_node(&node, "")).flatten()
        {
            return Err(LoadError::new(
                loc(&file, r),
                format!("`{field}` of {full_type} `{id}` depends on parameter `{p}`, which has no value; give it with --param {p}=VALUE"),
            ));
        }
        let node = Rc::new(node);
        self.shared.resources.borrow_mut().insert(id.to_ascii_lowercase(), Body::Node(node.clone()));
        self.out.push(Evaluated { file, node, id, type_key });
        Ok(())
    }

    /// The evaluated body: every field but the template-only ones. The
    /// `properties` that `inplace::split` moved out are evaluated in place,
    /// the rest copied.
    fn body(&mut self, env: &Env<'n>, r: &'n Node, f: &Frame) -> Res<Node> {
        const TEMPLATE_ONLY: &[&str] = &["copy", "condition", "dependsOn", "resources", "comments", "existing"];
        let entries = r.as_map().unwrap_or_default();
        let mut out = Vec::with_capacity(entries.len());
        let mut moved = self.bodies.take(r);
        for (i, (k, v)) in entries.iter().enumerate() {
            let ks = k.as_str().unwrap_or_default();
            if TEMPLATE_ONLY.iter().any(|t| t.eq_ignore_ascii_case(ks)) {
                continue;
            }
            if let Some((_, body)) = moved.take_if(|(at, _)| *at == i) {
                let Some(mut body) = body else {
                    // `split` moves only bodies that are evaluated once.
                    return Err(LoadError::new(loc(&env.file, r), "internal: a resource body evaluated twice"));
                };
                env.eval_in_place(&mut body, f)?;
                out.push((k.clone(), body));
                continue;
            }
            out.push((k.clone(), env.eval_to_node(v, f)?));
        }
        Ok(Node { pos: r.pos, value: Value::Map(out) })
    }

    /// A nested deployment: its scope, parameters and template.
    fn nested(&mut self, env: &Env<'n>, r: &'n Node, name: &Val, scope: &Scope, f: &Frame) -> Res<()> {
        let file = env.file.clone();
        let Some(props) = key(r, "properties") else { return Ok(()) };
        let sub = match key(r, "subscriptionId").map(|n| env.eval_node(n, f)).transpose()? {
            Some(Val::Str(s)) => s.to_string(),
            Some(Val::Unknown(u)) => {
                self.warn(
                    &file,
                    r,
                    format!("the deployment's subscription is unknown ({}); ids use the parent's", u.reason),
                );
                scope.subscription.clone()
            }
            _ => scope.subscription.clone(),
        };
        let group = match key(r, "resourceGroup").map(|n| env.eval_node(n, f)).transpose()? {
            Some(Val::Str(s)) => Some(s.to_string()),
            Some(Val::Unknown(u)) => {
                self.warn(&file, r, format!("the deployment's resource group is unknown ({})", u.reason));
                Some("(unknown resource group)".to_string())
            }
            _ => None,
        };
        let has_sub = key(r, "subscriptionId").is_some();
        let target = match (&group, has_sub, &scope.level) {
            (Some(g), _, _) => Scope { subscription: sub, level: Level::ResourceGroup(g.clone()) },
            (None, true, _) => Scope { subscription: sub, level: Level::Subscription },
            (None, false, _) => scope.clone(),
        };
        // The deployment resource lives where its content goes when it
        // names a group, otherwise in the parent's scope.
        let home = if group.is_some() { target.clone() } else { scope.clone() };
        let dep_id = match name {
            Val::Str(n) => resource_id(&home.id(), "Microsoft.Resources/deployments", &[n]).map(Val::str),
            _ => None,
        };
        let (tfile, template) = match (key(props, "template"), key(props, "templateLink")) {
            (Some(t), _) => (file.clone(), t),
            (None, Some(link)) => match key(link, "relativePath").map(|p| env.eval_node(p, f)).transpose()? {
                Some(Val::Str(rel)) => {
                    let path = Path::new(&*file).parent().unwrap_or(Path::new("")).join(&*rel);
                    let norm = normalize(&path);
                    match self.files.get(&norm) {
                        Some(doc) => (doc.file.clone(), &doc.root),
                        None => {
                            self.warn(&file, link, format!("linked template `{rel}` ({norm}) is not among the inputs; its resources are not loaded"));
                            return Ok(());
                        }
                    }
                }
                _ => {
                    self.warn(&file, link, "a template linked by URI or template spec is not read; its resources are not loaded (pass the file and use relativePath)");
                    return Ok(());
                }
            },
            _ => return Ok(()),
        };
        let inner = key(props, "expressionEvaluationOptions")
            .and_then(|o| key(o, "scope"))
            .and_then(Node::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"))
            || key(props, "templateLink").is_some();
        // A nested deployment's location is its own `location`, else its
        // parent deployment's (a resource-group deployment has none).
        let location = match key(r, "location") {
            Some(l) => env.eval_node(l, f)?,
            None => super::funcs::property(&env.deployment, "location"),
        };
        let deployment = Val::obj(vec![
            ("name".into(), name.clone()),
            ("location".into(), location),
            ("properties".into(), Val::obj(vec![])),
        ]);
        self.depth += 1;
        let outputs = if inner {
            let mut params = HashMap::new();
            for (k, p) in key(props, "parameters").and_then(Node::as_map).unwrap_or_default() {
                let pname = k.as_str().unwrap_or_default().to_ascii_lowercase();
                // Each entry is `{value}` or a Key Vault `{reference}`, or an
                // expression that evaluates to one (Bicep emits those).
                let v = match env.eval_node(p, f)? {
                    Val::Obj(o) if o.get("value").is_some() => o.get("value").cloned().unwrap_or(Val::Null),
                    Val::Obj(o) if o.get("reference").is_some() => {
                        Val::unknown(format!("parameter `{pname}` is a Key Vault secret"))
                    }
                    Val::Unknown(u) => Val::Unknown(u),
                    _ => continue,
                };
                params.insert(pname, v);
            }
            self.deploy(Deployment { file: tfile, template, params, scope: target, deployment })
        } else {
            // Outer scope: the nested template reads the parent's
            // parameters and variables (Microsoft Learn, "Nested templates:
            // expression evaluation scope").
            self.resources(env, template, &target, f)?;
            self.outputs(env, template)
        };
        self.depth -= 1;
        let outputs = outputs?;
        if let Some(Val::Str(id)) = dep_id {
            self.shared.deployments.borrow_mut().insert(id.to_ascii_lowercase(), outputs);
        }
        Ok(())
    }
}

/// A file path with `.` and `..` resolved, as the input names files.
pub fn normalize(p: &Path) -> String {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            std::path::Component::RootDir => parts.push(std::ffi::OsStr::new("")),
            other => parts.push(other.as_os_str()),
        }
    }
    parts.iter().map(|s| s.to_string_lossy()).collect::<Vec<_>>().join("/")
}
