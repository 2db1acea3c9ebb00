//! Label selectors and label syntax, validated as the API server does
//! (apimachinery `validation.IsQualifiedName` / `IsValidLabelValue` and
//! `metav1.LabelSelectorAsSelector`): a selector that the API server would
//! reject is a load error here, not a selector that silently matches nothing.

use super::fields::Cx;
use crate::doc::Node;
use tusk_core::LoadError;
use tusk_model::k8s::{LabelSelector, Labels, Requirement, SelectorOp};

/// A DNS-1123-ish name part: alphanumeric at both ends, `-`, `_`, `.` inside.
fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A DNS-1123 subdomain (label key prefixes).
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|p| {
            let b = p.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// `[prefix/]name`, the syntax of label keys.
pub fn is_label_key(k: &str) -> bool {
    match k.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_name_part(name),
        None => is_name_part(k),
    }
}

/// Empty, or a name part of at most 63 characters.
pub fn is_label_value(v: &str) -> bool {
    v.is_empty() || is_name_part(v)
}

/// Reads `metadata.labels` (or any label map), checking the syntax.
pub fn labels(cx: Cx, parent: &Node, key: &str) -> Result<Labels, LoadError> {
    let mut out = Labels::new();
    for (k, v, pos) in cx.string_map(parent, key)? {
        let loc = tusk_core::Loc::new(cx.doc.file.clone(), pos);
        if !is_label_key(&k) {
            return Err(LoadError::new(
                loc,
                format!("invalid label key `{k}`: expected [prefix/]name, name ≤63 alphanumerics, '-', '_', '.'"),
            ));
        }
        if !is_label_value(&v) {
            return Err(LoadError::new(loc, format!("invalid label value `{v}` for key `{k}`: expected ≤63 alphanumerics, '-', '_', '.', starting and ending alphanumeric")));
        }
        out.insert(k, v);
    }
    Ok(out)
}

/// Parses a `metav1.LabelSelector`.
pub fn selector(cx: Cx, n: &Node, what: &str) -> Result<LabelSelector, LoadError> {
    // An unknown key (`matchLabel`, or an older API's `namespaceSelector`
    // nested here) would otherwise leave an empty selector, which selects
    // everything: a guess. Refuse it where it stands.
    for (k, _) in cx.map(n, what)? {
        if !matches!(k.as_str(), Some("matchLabels" | "matchExpressions")) {
            return Err(cx.err(
                k,
                format!(
                    "unknown field `{}` in label selector `{what}`: expected `matchLabels` or `matchExpressions`",
                    super::fields::text(k)
                ),
            ));
        }
    }
    let match_labels: Vec<(String, String)> = labels(cx, n, "matchLabels")?.into_iter().collect();
    let mut match_expressions = Vec::new();
    for e in cx.seq(n, "matchExpressions")? {
        cx.only_keys(e, "matchExpressions[]", &["key", "operator", "values"])?;
        let key = cx.req_str(e, "key")?;
        if !is_label_key(key) {
            return Err(cx.err(e, format!("invalid label key `{key}` in matchExpressions")));
        }
        let op_s = cx.req_str(e, "operator")?;
        let op = match op_s {
            "In" => SelectorOp::In,
            "NotIn" => SelectorOp::NotIn,
            "Exists" => SelectorOp::Exists,
            "DoesNotExist" => SelectorOp::DoesNotExist,
            other => {
                return Err(cx.err(
                    e.get("operator").unwrap_or(e),
                    format!("invalid selector operator `{other}`: expected In, NotIn, Exists or DoesNotExist"),
                ))
            }
        };
        let mut values = Vec::new();
        for v in cx.seq(e, "values")? {
            let s = v.as_str().ok_or_else(|| cx.err(v, "selector values must be strings"))?;
            if !is_label_value(s) {
                return Err(cx.err(v, format!("invalid label value `{s}` in matchExpressions")));
            }
            values.push(s.to_string());
        }
        // metav1.LabelSelectorAsSelector: In/NotIn need values, Exists/DoesNotExist forbid them.
        match op {
            SelectorOp::In | SelectorOp::NotIn if values.is_empty() => {
                return Err(cx.err(e, format!("operator `{op_s}` needs a non-empty `values` list")))
            }
            SelectorOp::Exists | SelectorOp::DoesNotExist if !values.is_empty() => {
                return Err(cx.err(e, format!("operator `{op_s}` must not have `values`")))
            }
            _ => {}
        }
        values.sort();
        values.dedup();
        match_expressions.push(Requirement { key: key.to_string(), op, values });
    }
    Ok(LabelSelector { match_labels, match_expressions })
}

/// An optional selector field.
pub fn opt_selector(cx: Cx, parent: &Node, key: &str) -> Result<Option<LabelSelector>, LoadError> {
    parent.get(key).map(|n| selector(cx, n, key)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_syntax() {
        assert!(is_label_key("app"));
        assert!(is_label_key("kubernetes.io/metadata.name"));
        assert!(!is_label_key("-app"));
        assert!(!is_label_key("Example.COM/app"));
        assert!(!is_label_key("a/b/c"));
        assert!(is_label_value(""));
        assert!(is_label_value("v1.2_x-y"));
        assert!(!is_label_value("$backendservice"));
        assert!(!is_label_value(&"a".repeat(64)));
    }
}
