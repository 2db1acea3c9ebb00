//! Connection sets: which protocols and ports a flow may use.
//!
//! Kubernetes policies speak of TCP, UDP and SCTP ports; a rule without ports
//! allows every protocol, including ICMP and anything else IP carries. So a
//! [`ConnSet`] holds one [`PortSet`] per port protocol plus one flag for "all
//! the protocols that have no ports". "All Connections" is all of them full.

use crate::interval::PortSet;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
    /// ICMP and every other protocol without ports.
    Icmp,
}

impl Protocol {
    pub const PORTED: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    pub fn parse(s: &str) -> Option<Protocol> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            "ICMP" => Some(Protocol::Icmp),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
            Protocol::Icmp => "ICMP",
        }
    }

    fn index(self) -> Option<usize> {
        match self {
            Protocol::Tcp => Some(0),
            Protocol::Udp => Some(1),
            Protocol::Sctp => Some(2),
            Protocol::Icmp => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ConnSet {
    ports: [PortSet; 3],
    /// Protocols without ports (ICMP and the rest).
    non_port: bool,
}

impl ConnSet {
    pub fn none() -> ConnSet {
        ConnSet::default()
    }

    pub fn all() -> ConnSet {
        ConnSet { ports: [PortSet::all_ports(), PortSet::all_ports(), PortSet::all_ports()], non_port: true }
    }

    /// `ports` of one protocol; for ICMP the port set is ignored.
    pub fn of(proto: Protocol, ports: PortSet) -> ConnSet {
        let mut c = ConnSet::none();
        match proto.index() {
            Some(i) => c.ports[i] = ports.intersect(&PortSet::all_ports()),
            None => c.non_port = true,
        }
        c
    }

    pub fn ports(&self, proto: Protocol) -> Option<&PortSet> {
        proto.index().map(|i| &self.ports[i])
    }

    pub fn has_non_port(&self) -> bool {
        self.non_port
    }

    pub fn is_empty(&self) -> bool {
        !self.non_port && self.ports.iter().all(|p| p.is_empty())
    }

    pub fn is_all(&self) -> bool {
        *self == ConnSet::all()
    }

    /// Does the set allow this protocol on this port (the port is ignored for ICMP)?
    pub fn allows(&self, proto: Protocol, port: u16) -> bool {
        match proto.index() {
            Some(i) => self.ports[i].contains(port),
            None => self.non_port,
        }
    }

    fn zip(&self, o: &ConnSet, f: impl Fn(&PortSet, &PortSet) -> PortSet, b: impl Fn(bool, bool) -> bool) -> ConnSet {
        ConnSet {
            ports: [f(&self.ports[0], &o.ports[0]), f(&self.ports[1], &o.ports[1]), f(&self.ports[2], &o.ports[2])],
            non_port: b(self.non_port, o.non_port),
        }
    }

    pub fn union(&self, o: &ConnSet) -> ConnSet {
        self.zip(o, PortSet::union, |a, b| a || b)
    }

    pub fn intersect(&self, o: &ConnSet) -> ConnSet {
        self.zip(o, PortSet::intersect, |a, b| a && b)
    }

    pub fn subtract(&self, o: &ConnSet) -> ConnSet {
        self.zip(o, PortSet::subtract, |a, b| a && !b)
    }
}

/// `All Connections`, or `SCTP 9090,TCP 80,8080-8090,UDP 53` in the
/// netpol-analyzer connlist notation (protocols sorted by name).
impl fmt::Display for ConnSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut parts = Vec::new();
        if self.non_port {
            parts.push("ICMP and other non-port protocols".to_string());
        }
        for p in [Protocol::Sctp, Protocol::Tcp, Protocol::Udp] {
            let ports = &self.ports[p.index().unwrap_or_default()];
            if !ports.is_empty() {
                parts.push(format!("{} {}", p, ports.to_list_string()));
            }
        }
        f.write_str(&parts.join(","))
    }
}

impl fmt::Debug for ConnSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnSet({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_connlist_notation() {
        assert_eq!(ConnSet::all().to_string(), "All Connections");
        let c = ConnSet::of(Protocol::Tcp, PortSet::single(80)).union(&ConnSet::of(Protocol::Udp, PortSet::single(53)));
        assert_eq!(c.to_string(), "TCP 80,UDP 53");
        let all_but_80 = ConnSet::all().subtract(&ConnSet::of(Protocol::Tcp, PortSet::single(80)));
        assert!(all_but_80.allows(Protocol::Icmp, 0));
        assert!(!all_but_80.allows(Protocol::Tcp, 80));
        assert!(all_but_80.to_string().starts_with("ICMP and other non-port protocols,SCTP 1-65535,TCP 1-79,81-65535"));
    }
}
