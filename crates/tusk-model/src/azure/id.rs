//! Azure resource ids. Azure compares ids case-insensitively, so an id keeps
//! the text it was written with (for display) and a lower-cased key (for
//! lookups). This module parses nothing beyond splitting on `/`.

use std::fmt;
use std::hash::{Hash, Hasher};

/// An Azure resource id as written (`/subscriptions/…/providers/…/NAME`),
/// compared case-insensitively as Azure does.
#[derive(Debug, Clone)]
pub struct ResourceId {
    raw: String,
    key: String,
}

impl ResourceId {
    /// The id `raw` (a trailing `/` is ignored when comparing).
    pub fn new(raw: impl Into<String>) -> ResourceId {
        let raw: String = raw.into();
        let key = raw.trim_end_matches('/').to_ascii_lowercase();
        ResourceId { raw, key }
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The case-folded form used for equality and lookups.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The last path segment: the resource's own name.
    pub fn name(&self) -> &str {
        self.raw.trim_end_matches('/').rsplit('/').next().unwrap_or(&self.raw)
    }

    /// The part from `providers/` on, lower-cased: what an ARM template's
    /// `resourceId()` can name without knowing subscription and group.
    pub fn provider_key(&self) -> Option<&str> {
        self.key.find("providers/").map(|i| &self.key[i..])
    }

    /// The resource type as `microsoft.network/virtualnetworks/subnets`,
    /// derived from the id's `providers/NS/type/name/child/name...` path.
    pub fn type_key(&self) -> Option<String> {
        let rest = self.provider_key()?.strip_prefix("providers/")?;
        let segs: Vec<&str> = rest.split('/').collect();
        if segs.len() < 3 {
            return None;
        }
        let mut t = format!("{}/{}", segs[0], segs[1]);
        let mut i = 3;
        while i < segs.len() {
            t.push('/');
            t.push_str(segs[i]);
            i += 2;
        }
        Some(t)
    }

    /// The id of the parent resource (`.../virtualNetworks/v` for a subnet).
    pub fn parent(&self) -> Option<ResourceId> {
        let t = self.raw.trim_end_matches('/');
        let cut = t.rfind('/')?;
        let t = &t[..cut];
        let cut = t.rfind('/')?;
        let p = &t[..cut];
        p.to_ascii_lowercase().contains("/providers/").then(|| ResourceId::new(p))
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for ResourceId {}
impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.key.hash(h)
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_case_insensitively_and_know_their_type() {
        let a = ResourceId::new(
            "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/subnets/S",
        );
        let b = ResourceId::new(
            "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/s",
        );
        assert_eq!(a, b);
        assert_eq!(a.name(), "S");
        assert_eq!(a.type_key().as_deref(), Some("microsoft.network/virtualnetworks/subnets"));
        assert_eq!(a.parent().unwrap().type_key().as_deref(), Some("microsoft.network/virtualnetworks"));
        assert_eq!(a.provider_key(), Some("providers/microsoft.network/virtualnetworks/v/subnets/s"));
    }
}
