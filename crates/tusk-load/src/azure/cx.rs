//! The reading context of one resource: where it is (for locations), what
//! it is called (for error messages), and the typed readers every resource
//! parser shares (strings that may be ARM expressions, CIDRs, addresses,
//! port ranges, priorities and references to other resources).

use super::shape::{is_expression, prop, resource_id_expression};
use crate::doc::Node;
use std::net::IpAddr;
use std::sync::Arc;
use tusk_core::ip::Cidr;
use tusk_core::{LoadError, Loc, PortSet, Pos, Warning};
use tusk_model::azure::{AzureResource, Link, ResourceId};

/// A reference read from an input, checked once everything is loaded.
#[derive(Debug, Clone)]
pub struct PendingRef {
    pub id: ResourceId,
    /// The type the field expects (`microsoft.network/networksecuritygroups`).
    pub want: &'static str,
    /// The expected type's name in messages (`network security group`).
    pub noun: &'static str,
    /// The field, for messages (`networkSecurityGroup`).
    pub field: String,
    pub loc: Loc,
    pub object: String,
}

/// Names for the regions of one file: each entry names everything from
/// its position up to the next entry's (a Terraform plan's resource
/// objects, each named by its `address`).
#[derive(Debug, Default, Clone)]
pub struct Labels(Vec<(Pos, Arc<str>)>);

impl Labels {
    /// From region starts and names, in any order.
    pub fn new(mut starts: Vec<(Pos, Arc<str>)>) -> Labels {
        starts.sort_by_key(|(p, _)| *p);
        Labels(starts)
    }

    /// The name of the region holding `pos`.
    pub fn at(&self, pos: Pos) -> Option<&Arc<str>> {
        let i = self.0.partition_point(|(p, _)| *p <= pos);
        i.checked_sub(1).map(|i| &self.0[i].1)
    }
}

/// `loc` with the label its position has in `labels`, if any.
pub fn labelled(loc: Loc, labels: Option<&Labels>) -> Loc {
    match labels.and_then(|m| m.at(loc.pos)) {
        Some(l) => loc.labelled(l.clone()),
        None => loc,
    }
}

pub struct Cx<'a> {
    pub file: Arc<str>,
    /// Labels of positions in `file` (see `Builder::label_positions`).
    pub labels: Option<&'a Labels>,
    pub warnings: &'a mut Vec<Warning>,
    pub refs: &'a mut Vec<PendingRef>,
    /// `networkSecurityGroups nsg1`, for messages.
    pub object: String,
}

impl Cx<'_> {
    pub fn loc(&self, n: &Node) -> Loc {
        labelled(Loc::new(self.file.clone(), n.pos), self.labels)
    }

    pub fn err(&self, n: &Node, msg: impl Into<String>) -> LoadError {
        LoadError::new(self.loc(n), msg).in_object(self.object.clone())
    }

    pub fn warn(&mut self, n: &Node, msg: impl Into<String>) {
        let loc = self.loc(n);
        self.warnings.push(Warning { loc, message: format!("{} (in {})", msg.into(), self.object) });
    }

    /// A literal string field; an ARM expression gives a warning and `None`.
    pub fn str<'n>(&mut self, n: &'n Node, key: &str) -> Option<&'n str> {
        let v = prop(n, key)?;
        self.literal(v)
    }

    pub fn literal<'n>(&mut self, v: &'n Node) -> Option<&'n str> {
        let s = v.as_str()?;
        if is_expression(s) {
            self.warn(v, format!("ARM expression `{s}` is not evaluated; the value is unknown"));
            return None;
        }
        Some(s.strip_prefix("[[").map(|_| &s[1..]).unwrap_or(s))
    }

    /// False, with a warning, when `v` is an ARM `[expression]`.
    pub fn not_expression(&mut self, v: &Node, key: &str) -> bool {
        match v.as_str() {
            Some(s) if is_expression(s) => {
                self.warn(v, format!("ARM expression `{s}` for `{key}` is not evaluated; the value is unknown"));
                false
            }
            _ => true,
        }
    }

    pub fn bool(&mut self, n: &Node, key: &str) -> Option<bool> {
        let v = prop(n, key)?;
        v.as_bool().or_else(|| {
            let s = self.literal(v)?;
            s.parse().ok()
        })
    }

    pub fn cidr(&self, v: &Node, s: &str) -> Result<Cidr, LoadError> {
        let c = Cidr::parse_prefix_or_addr(s.trim()).map_err(|e| self.err(v, e))?;
        if !c.canonical {
            return Err(self.err(v, format!("`{s}` has host bits set; Azure rejects such prefixes")));
        }
        Ok(c)
    }

    pub fn ip(&self, v: &Node) -> Result<Option<IpAddr>, LoadError> {
        match v.as_str() {
            None => Ok(None),
            Some(s) if is_expression(s) => Ok(None),
            Some(s) => s.trim().parse().map(Some).map_err(|_| self.err(v, format!("`{s}` is not an IP address"))),
        }
    }

    /// A list of strings under `key` (also accepts a single string).
    pub fn strings<'n>(&mut self, n: &'n Node, key: &str) -> Vec<(&'n str, &'n Node)> {
        let Some(v) = prop(n, key) else { return Vec::new() };
        // An empty string is an unset field: templates (Azure Verified
        // Modules) send `''` for the singular field when the plural is used.
        let set = |i: &'n Node| i.as_str().filter(|s| !s.is_empty()).map(|s| (s, i));
        match v.as_seq() {
            Some(s) => s.iter().filter_map(set).collect(),
            None => set(v).into_iter().collect(),
        }
    }

    /// A port range field: `*`, `80`, `8000-8080`. `*` is every port,
    /// [`PortSet::all_ports`] (1–65535, the one constant of `tusk_core::conn`).
    pub fn ports(&self, v: &Node, s: &str) -> Result<PortSet, LoadError> {
        let s = s.trim();
        if s == "*" || s.eq_ignore_ascii_case("any") {
            return Ok(PortSet::all_ports());
        }
        let bad = || self.err(v, format!("`{s}` is not a port or port range (0-65535, `*`)"));
        let (lo, hi) = match s.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u16>().map_err(|_| bad())?, b.trim().parse::<u16>().map_err(|_| bad())?),
            None => {
                let p = s.parse::<u16>().map_err(|_| bad())?;
                (p, p)
            }
        };
        if lo > hi {
            return Err(bad());
        }
        Ok(PortSet::range(lo, hi))
    }

    /// The union of a singular and a plural port field
    /// (`destinationPortRange` / `destinationPortRanges`); absent means all.
    /// The flag is set when an entry is an ARM expression: the ports it
    /// stands for are unknown, so the rule's match on ports is unknown (taking
    /// it as every port would widen an allow rule, or a deny rule, by guess).
    pub fn port_fields(&mut self, n: &Node, one: &str, many: &str) -> Result<(PortSet, bool), LoadError> {
        let mut set = PortSet::empty();
        let mut any = false;
        let mut unknown = false;
        for key in [one, many] {
            for (s, v) in self.strings(n, key) {
                any = true;
                if is_expression(s) {
                    self.warn(
                        v,
                        format!("ARM expression `{s}` is not evaluated; the rule's match on ports is unknown"),
                    );
                    unknown = true;
                } else {
                    set = set.union(&self.ports(v, s)?);
                }
            }
        }
        Ok((if any { set } else { PortSet::all_ports() }, unknown))
    }

    /// A required integer within `lo..=hi`.
    pub fn priority(&self, n: &Node, key: &str, lo: i64, hi: i64) -> Result<u32, LoadError> {
        let v = prop(n, key).ok_or_else(|| self.err(n, format!("missing `{key}`")))?;
        let p = v.as_i64().ok_or_else(|| self.err(v, format!("`{key}` must be an integer")))?;
        if !(lo..=hi).contains(&p) {
            return Err(self.err(v, format!("{key} {p} is out of range {lo}-{hi}")));
        }
        Ok(p as u32)
    }

    /// A reference `{"id": "..."}` under `key` to a `T`, recorded for
    /// checking (the id must name a `T`) and resolution.
    pub fn link<T: AzureResource>(&mut self, n: &Node, key: &str) -> Option<Link<T>> {
        let v = prop(n, key)?;
        self.link_node(v, key)
    }

    /// A reference given as `{"id": ...}` or as a bare id string.
    pub fn link_node<T: AzureResource>(&mut self, v: &Node, field: &str) -> Option<Link<T>> {
        let idn = v.get_ci("id").unwrap_or(v);
        let s = idn.as_str()?;
        let id = if is_expression(s) {
            match resource_id_expression(s) {
                Some(id) => id,
                None => {
                    self.warn(idn, format!("ARM expression `{s}` is not evaluated; the reference is unknown"));
                    return Some(Link::Absent(ResourceId::new(s)));
                }
            }
        } else {
            ResourceId::new(s)
        };
        self.refs.push(PendingRef {
            id: id.clone(),
            want: T::TYPE,
            noun: T::NOUN,
            field: field.to_string(),
            loc: self.loc(idn),
            object: self.object.clone(),
        });
        Some(Link::Absent(id))
    }

    /// A list of references under `key`.
    pub fn links<T: AzureResource>(&mut self, n: &Node, key: &str) -> Vec<Link<T>> {
        let Some(items) = prop(n, key).and_then(Node::as_seq) else { return Vec::new() };
        items.iter().filter_map(|i| self.link_node(i, key)).collect()
    }
}

/// The `name` of a child item (rule, route, subnet), or `?`.
pub fn child_name(n: &Node) -> String {
    n.get_ci("name").and_then(Node::as_str).unwrap_or("?").to_string()
}
