//! URL path-based routing of an application gateway: which path rule of a
//! URL path map takes a request's path (`tusk trace --http-path`). It
//! decides only the choice of target; `appgw.rs` does the rest.
//!
//! Microsoft Learn, "URL Path Based Routing overview"
//! (application-gateway/url-route-overview): a request whose path matches
//! no path pattern goes to the map's default pool; path rules are
//! processed in the order they are listed, and the first whose pattern
//! matches takes the request, even when a later one is more specific
//! (first match, not longest match). A pattern starts with `/`; the only
//! place a `*` is allowed is at its end, after a `/`; the path matched is
//! the request's up to its first `?` or `#`.
//!
//! What the docs leave open is unknown (`Tri::Maybe`), never decided by
//! guess: whether matching ignores letter case (a path equal to a pattern
//! but for case), whether `/images/*` takes `/images` (the pattern's
//! prefix without its last `/`), and a pattern with a `*` anywhere else.

use tusk_core::Tri;
use tusk_model::azure::{AppGwPathMap, AppGwTarget};

/// Does `path` (already cut at `?` / `#`) match `pattern`?
pub fn matches(pattern: &str, path: &str) -> Tri {
    let star = pattern.find('*');
    match star {
        // An exact pattern.
        None if pattern == path => Tri::Yes,
        None if pattern.eq_ignore_ascii_case(path) => Tri::Maybe,
        None => Tri::No,
        // `PREFIX/*`: every path under the prefix.
        Some(i) if i + 1 == pattern.len() && pattern[..i].ends_with('/') => {
            let prefix = &pattern[..i];
            let lower = |s: &str| s.to_ascii_lowercase();
            if path.starts_with(prefix) {
                Tri::Yes
            } else if lower(path).starts_with(&lower(prefix)) || lower(path) == lower(&prefix[..prefix.len() - 1]) {
                Tri::Maybe
            } else {
                Tri::No
            }
        }
        // A `*` where the docs do not allow one: how the gateway reads it
        // is not documented.
        Some(_) => Tri::Maybe,
    }
}

/// The request path the matcher sees: up to the first `?` or `#`.
pub fn matched_part(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or(path)
}

/// Which path rule of a map takes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPick {
    /// Path rule `.0` (index into the map's `rules`).
    Rule(usize),
    /// No rule's pattern matches: the map's default.
    Default,
}

/// Why the path rule is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathDoubt {
    /// No path was given and the map's rules lead to different targets.
    NeedsPath,
    /// Whether path rule `.0` matches the path is not known (see the
    /// module's notes), and it leads elsewhere than the rule or default
    /// that would take the request otherwise.
    InDoubt(usize),
}

/// The path rule of `map` that takes a request for `path` and its target;
/// without a path, the one target every rule and the default share.
pub fn choose<'m>(map: &'m AppGwPathMap, path: Option<&str>) -> Result<(PathPick, &'m AppGwTarget), PathDoubt> {
    let Some(path) = path else {
        let first = map.rules.first().map_or(&map.default, |r| &r.target);
        if map.rules.iter().any(|r| r.target != *first) || map.default != *first {
            return Err(PathDoubt::NeedsPath);
        }
        return Ok((if map.rules.is_empty() { PathPick::Default } else { PathPick::Rule(0) }, first));
    };
    let path = matched_part(path);
    let mut maybes: Vec<usize> = Vec::new();
    for (i, r) in map.rules.iter().enumerate() {
        match Tri::any(r.paths.iter().map(|p| matches(p, path))) {
            Tri::No => {}
            Tri::Maybe => maybes.push(i),
            Tri::Yes => {
                // An earlier rule that may match decides instead, unless it
                // leads to the same place.
                return match maybes.iter().find(|&&m| map.rules[m].target != r.target) {
                    Some(&m) => Err(PathDoubt::InDoubt(m)),
                    None => Ok((PathPick::Rule(i), &r.target)),
                };
            }
        }
    }
    match maybes.iter().find(|&&m| map.rules[m].target != map.default) {
        Some(&m) => Err(PathDoubt::InDoubt(m)),
        None => Ok((PathPick::Default, &map.default)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tusk_model::azure::AppGwPathRule;

    fn to(pool: &str) -> AppGwTarget {
        AppGwTarget::Backend { pool: Some(pool.into()), settings: Some("s".into()) }
    }

    fn map(rules: &[(&[&str], &str)], default: &str) -> AppGwPathMap {
        let loc = tusk_core::Loc::new(std::sync::Arc::from("t.json"), Default::default());
        let rules = rules
            .iter()
            .enumerate()
            .map(|(i, (paths, pool))| AppGwPathRule {
                name: format!("r{i}"),
                loc: loc.clone(),
                paths: paths.iter().map(|p| p.to_string()).collect(),
                target: to(pool),
            })
            .collect();
        AppGwPathMap { name: "m".into(), loc, default: to(default), rules }
    }

    fn pool(m: &AppGwPathMap, path: &str) -> Result<String, PathDoubt> {
        choose(m, Some(path)).map(|(_, t)| match t {
            AppGwTarget::Backend { pool, .. } => pool.clone().unwrap(),
            _ => unreachable!(),
        })
    }

    #[test]
    fn patterns_match_exactly_or_under_their_prefix() {
        assert_eq!(matches("/images/*", "/images/car.jpg"), Tri::Yes);
        assert_eq!(matches("/images/*", "/images/"), Tri::Yes);
        assert_eq!(matches("/images/*", "/video/a"), Tri::No);
        assert_eq!(matches("/images/*", "/imagesx"), Tri::No);
        assert_eq!(matches("/login", "/login"), Tri::Yes);
        assert_eq!(matches("/login", "/login/x"), Tri::No);
        // Left open by the docs.
        assert_eq!(matches("/images/*", "/images"), Tri::Maybe);
        assert_eq!(matches("/images/*", "/IMAGES/a"), Tri::Maybe);
        assert_eq!(matches("/Login", "/login"), Tri::Maybe);
        assert_eq!(matches("/*.jpg", "/a.jpg"), Tri::Maybe);
        assert_eq!(matched_part("/images/a?x=/video/#f"), "/images/a");
    }

    #[test]
    fn the_first_listed_rule_wins_not_the_longest_pattern() {
        // The docs' warning: a wildcard listed first takes priority over a
        // more specific rule listed after it.
        let m = map(&[(&["/api/*"], "api"), (&["/api/v2/*"], "v2")], "web");
        assert_eq!(pool(&m, "/api/v2/users"), Ok("api".into()));
        assert_eq!(pool(&m, "/static/x"), Ok("web".into()));
        assert_eq!(pool(&m, "/api/x?debug=/api/v2/"), Ok("api".into()));
        assert_eq!(choose(&m, None).unwrap_err(), PathDoubt::NeedsPath);
    }

    #[test]
    fn a_rule_that_may_match_first_makes_the_choice_unknown_only_if_it_leads_elsewhere() {
        let m = map(&[(&["/Images/*"], "img"), (&["/images/*"], "img2")], "web");
        assert_eq!(pool(&m, "/images/a"), Err(PathDoubt::InDoubt(0)));
        let same = map(&[(&["/Images/*"], "img"), (&["/images/*"], "img")], "web");
        assert_eq!(pool(&same, "/images/a"), Ok("img".into()));
        // A rule that may match, else the default.
        let m = map(&[(&["/images/*"], "img")], "web");
        assert_eq!(pool(&m, "/images"), Err(PathDoubt::InDoubt(0)));
        let m = map(&[(&["/images/*"], "web")], "web");
        assert_eq!(pool(&m, "/images"), Ok("web".into()));
    }
}
