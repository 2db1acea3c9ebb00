//! The endpoint notation of `--from` and `--to`, parsed once into a
//! [`FlowEnd`]; `docs/endpoints.md` documents it. Parsing knows only the
//! notation: what a name or `A/B` names is decided by the resolver beside
//! each engine (`tusk_network::endpoint` for Azure resources,
//! `tusk_policy::endpoint` for pods and workloads), which resolves a
//! [`FlowEnd`] to every member it stands for, never to one sample unless
//! it says so, and fails listing the candidates when a name is ambiguous.

use crate::ip::Cidr;
use std::fmt;
use std::net::IpAddr;

/// One end of a flow, as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowEnd {
    /// One address: `10.1.0.4`.
    Address(IpAddr),
    /// Every address of a block: `10.1.0.0/24`.
    Block(Cidr),
    /// `subnet:VNET/SUBNET`: every NIC in it, or every address of its
    /// prefixes when it has none.
    Subnet {
        /// The virtual network's name.
        vnet: String,
        /// The subnet's name inside it.
        subnet: String,
    },
    /// `internet` (`None`: every Internet address) or `internet:IP`.
    Internet(Option<IpAddr>),
    /// `onprem` (`None`: every on-premises address) or `onprem:IP`.
    OnPrem(Option<IpAddr>),
    /// `pod:NS/NAME`.
    Pod {
        /// The pod's namespace.
        namespace: String,
        /// The pod's name.
        name: String,
    },
    /// `workload:NS/NAME`: every pod of the workload.
    Workload {
        /// The workload's namespace.
        namespace: String,
        /// The workload's name.
        name: String,
    },
    /// `svc:NS/NAME`: a Service (a destination: the flow goes to each of
    /// its endpoint pods).
    Service {
        /// The Service's namespace.
        namespace: String,
        /// The Service's name.
        name: String,
    },
    /// `ingress:NS/NAME[/PATH]`: an Ingress (a destination: the flow goes
    /// through the ingress controller's load balancer to the controller,
    /// which opens its own connection to the backend Service of each rule,
    /// or of the rule whose path matches `PATH`).
    Ingress {
        /// The Ingress's namespace.
        namespace: String,
        /// The Ingress's name.
        name: String,
        /// The request path (`/api/items`), when given: only the backends
        /// whose path matches it.
        path: Option<String>,
    },
    /// `node:NAME`.
    Node(String),
    /// `tenant:NAME`.
    Tenant(String),
    /// A bare `A/B`: `NS/POD`, `NS/WORKLOAD` or `VNET/SUBNET`, accepted by
    /// a resolver when it names exactly one thing.
    Qualified {
        /// The name before the `/`.
        first: String,
        /// The name after the `/`.
        second: String,
    },
    /// A bare name: a NIC, VM, private endpoint, firewall, load balancer or
    /// public IP resource.
    Name(String),
}

/// Why a `--from` / `--to` value is not in the notation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotationError {
    /// The value is empty or only blanks.
    #[error("an endpoint cannot be empty")]
    Empty,
    /// `internet:X` or `onprem:X` where `X` is not an IP address.
    #[error("`{text}`: `{value}` is not an IP address")]
    NotAnAddress {
        /// The endpoint as written.
        text: String,
        /// The part that should be an address.
        value: String,
    },
    /// `ADDRESS/PREFIX` that is not a valid CIDR block.
    #[error("`{text}`: {problem}")]
    NotABlock {
        /// The endpoint as written.
        text: String,
        /// Why it is not a block ([`crate::ip::CidrError`]'s message).
        problem: String,
    },
    /// A kind whose value does not have the expected shape (`subnet:X`
    /// without `/`, `a/b/c`).
    #[error("`{text}`: expected {expected}")]
    Shape {
        /// The endpoint as written.
        text: String,
        /// The expected form, e.g. `subnet:VNET/SUBNET`.
        expected: &'static str,
    },
    /// A word before `:` that is not a kind of the notation.
    #[error(
        "`{text}`: unknown kind `{kind}:` (known: subnet:, pod:, workload:, svc:, ingress:, node:, tenant:, internet:, onprem:)"
    )]
    UnknownKind {
        /// The endpoint as written.
        text: String,
        /// The unknown kind word.
        kind: String,
    },
}

impl FlowEnd {
    /// Parses the notation of `docs/endpoints.md`. Kinds and the words
    /// `internet` / `onprem` are case-insensitive; names keep their case
    /// (resolvers compare Azure names case-insensitively, as Azure does, and
    /// Kubernetes names exactly).
    pub fn parse(text: &str) -> Result<FlowEnd, NotationError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(NotationError::Empty);
        }
        if let Ok(ip) = t.parse::<IpAddr>() {
            return Ok(FlowEnd::Address(ip));
        }
        let lower = t.to_ascii_lowercase();
        for (word, internet) in [("internet", true), ("onprem", false)] {
            if lower == word {
                return Ok(if internet { FlowEnd::Internet(None) } else { FlowEnd::OnPrem(None) });
            }
            if let Some(rest) = lower.strip_prefix(word).and_then(|r| r.strip_prefix(':')) {
                let ip: IpAddr = rest
                    .parse()
                    .map_err(|_| NotationError::NotAnAddress { text: t.to_string(), value: rest.to_string() })?;
                return Ok(if internet { FlowEnd::Internet(Some(ip)) } else { FlowEnd::OnPrem(Some(ip)) });
            }
        }
        if let Some((kind, rest)) = t.split_once(':') {
            // A word before the colon is a kind; an IPv6 block (`fd00::/8`)
            // has colons too, but starts with hex digits and holds no letter
            // past `f`.
            let word = !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphabetic());
            if word && !(kind.len() <= 4 && kind.chars().all(|c| c.is_ascii_hexdigit())) {
                return parse_kind(t, kind, rest);
            }
        }
        if let Some((a, b)) = t.split_once('/') {
            if a.parse::<IpAddr>().is_ok() {
                return Cidr::parse(t)
                    .map(FlowEnd::Block)
                    .map_err(|problem| NotationError::NotABlock { text: t.to_string(), problem: problem.to_string() });
            }
            let (first, second) = pair(t, a, b)?;
            return Ok(FlowEnd::Qualified { first, second });
        }
        Ok(FlowEnd::Name(t.to_string()))
    }

    /// Does this end name a group (several addresses or members) by its
    /// notation alone? A bare name or `A/B` may too, once resolved.
    pub fn is_group_notation(&self) -> bool {
        matches!(
            self,
            FlowEnd::Block(_)
                | FlowEnd::Subnet { .. }
                | FlowEnd::Internet(None)
                | FlowEnd::OnPrem(None)
                | FlowEnd::Workload { .. }
                | FlowEnd::Service { .. }
                | FlowEnd::Ingress { .. }
                | FlowEnd::Tenant(_)
        )
    }
}

fn parse_kind(t: &str, kind: &str, rest: &str) -> Result<FlowEnd, NotationError> {
    let one = |expected| {
        if rest.is_empty() || rest.contains('/') {
            Err(NotationError::Shape { text: t.to_string(), expected })
        } else {
            Ok(rest.to_string())
        }
    };
    let two = |expected| match rest.split_once('/') {
        Some((a, b)) => pair(t, a, b),
        None => Err(NotationError::Shape { text: t.to_string(), expected }),
    };
    Ok(match kind.to_ascii_lowercase().as_str() {
        "subnet" => {
            let (vnet, subnet) = two("subnet:VNET/SUBNET")?;
            FlowEnd::Subnet { vnet, subnet }
        }
        "pod" => {
            let (namespace, name) = two("pod:NAMESPACE/NAME")?;
            FlowEnd::Pod { namespace, name }
        }
        "workload" => {
            let (namespace, name) = two("workload:NAMESPACE/NAME")?;
            FlowEnd::Workload { namespace, name }
        }
        "svc" => {
            let (namespace, name) = two("svc:NAMESPACE/NAME")?;
            FlowEnd::Service { namespace, name }
        }
        "ingress" => {
            // NS/NAME, then the request path with its own slashes.
            let (ns_name, path) = match rest.match_indices('/').nth(1) {
                Some((i, _)) => (&rest[..i], Some(rest[i..].to_string())),
                None => (rest, None),
            };
            let (namespace, name) = match ns_name.split_once('/') {
                Some((a, b)) => pair(t, a, b)?,
                None => {
                    return Err(NotationError::Shape { text: t.to_string(), expected: "ingress:NAMESPACE/NAME[/PATH]" })
                }
            };
            FlowEnd::Ingress { namespace, name, path }
        }
        "node" => FlowEnd::Node(one("node:NAME")?),
        "tenant" => FlowEnd::Tenant(one("tenant:NAME")?),
        _ => return Err(NotationError::UnknownKind { text: t.to_string(), kind: kind.to_string() }),
    })
}

fn pair(t: &str, a: &str, b: &str) -> Result<(String, String), NotationError> {
    if a.is_empty() || b.is_empty() || b.contains('/') {
        return Err(NotationError::Shape { text: t.to_string(), expected: "exactly one `/` between two names" });
    }
    Ok((a.to_string(), b.to_string()))
}

/// Writes the end back in the notation (canonical kind words).
impl fmt::Display for FlowEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlowEnd::Address(ip) => write!(f, "{ip}"),
            FlowEnd::Block(c) => write!(f, "{c}"),
            FlowEnd::Subnet { vnet, subnet } => write!(f, "subnet:{vnet}/{subnet}"),
            FlowEnd::Internet(None) => f.write_str("internet"),
            FlowEnd::Internet(Some(ip)) => write!(f, "internet:{ip}"),
            FlowEnd::OnPrem(None) => f.write_str("onprem"),
            FlowEnd::OnPrem(Some(ip)) => write!(f, "onprem:{ip}"),
            FlowEnd::Pod { namespace, name } => write!(f, "pod:{namespace}/{name}"),
            FlowEnd::Workload { namespace, name } => write!(f, "workload:{namespace}/{name}"),
            FlowEnd::Service { namespace, name } => write!(f, "svc:{namespace}/{name}"),
            FlowEnd::Ingress { namespace, name, path } => {
                write!(f, "ingress:{namespace}/{name}{}", path.as_deref().unwrap_or(""))
            }
            FlowEnd::Node(n) => write!(f, "node:{n}"),
            FlowEnd::Tenant(n) => write!(f, "tenant:{n}"),
            FlowEnd::Qualified { first, second } => write!(f, "{first}/{second}"),
            FlowEnd::Name(n) => f.write_str(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> FlowEnd {
        FlowEnd::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn every_form_of_the_notation_parses_and_prints_back() {
        for s in [
            "10.1.0.4",
            "10.1.0.0/24",
            "fd00::1",
            "fd00::/8",
            "subnet:hub/AzureFirewallSubnet",
            "internet",
            "internet:8.8.8.8",
            "onprem",
            "onprem:192.168.1.1",
            "pod:ns/web-0",
            "workload:ns/web",
            "svc:kube-system/kube-dns",
            "ingress:shop/web",
            "ingress:shop/web/api/items",
            "node:aks-1",
            "tenant:blue",
            "ns/web",
            "vm-app-nic",
        ] {
            assert_eq!(p(s).to_string(), s);
        }
        assert_eq!(p("Internet"), FlowEnd::Internet(None));
        assert_eq!(p("SUBNET:v/s"), FlowEnd::Subnet { vnet: "v".into(), subnet: "s".into() });
        assert_eq!(p("ns/web"), FlowEnd::Qualified { first: "ns".into(), second: "web".into() });
        assert_eq!(
            p("ingress:shop/web/api/items"),
            FlowEnd::Ingress { namespace: "shop".into(), name: "web".into(), path: Some("/api/items".into()) }
        );
    }

    #[test]
    fn malformed_endpoints_are_refused_with_what_was_expected() {
        for (s, want) in [
            ("", "empty"),
            ("internet:nope", "not an IP address"),
            ("subnet:hub", "subnet:VNET/SUBNET"),
            ("pod:a/b/c", "exactly one `/`"),
            ("ingress:web", "ingress:NAMESPACE/NAME[/PATH]"),
            ("a/", "exactly one `/`"),
            ("10.0.0.0/40", "prefix length"),
            ("vm:x", "unknown kind `vm:`"),
            ("node:", "node:NAME"),
        ] {
            let e = FlowEnd::parse(s).expect_err(s).to_string();
            assert!(e.contains(want), "{s}: {e}");
        }
    }
}
