//! Connection sets: which protocols and ports a flow may use.
//!
//! Kubernetes policies speak of TCP, UDP and SCTP ports; a rule without ports
//! allows every protocol, including ICMP and anything else IP carries. Azure
//! NSG rules name Tcp, Udp, Icmp, Esp, Ah or Any ("Network security groups":
//! security rules, `protocol`), Azure Firewall network rules TCP, UDP, ICMP
//! or Any. So a [`ConnSet`] holds one [`PortSet`] per port protocol plus one
//! flag per protocol without ports: ICMP, ESP, AH, and every other IP
//! protocol together. "All Connections" is all of them full.
//!
//! "Every port" is one constant, [`PortSet::all_ports`] (1–65535): the
//! Kubernetes API rejects port 0 (`port` and `endPort` are 1–65535) and
//! port 0 is reserved (IANA), so no flow tusk is asked about uses it;
//! Azure's `*` and `0-65535` port ranges are read as every port too.

use crate::interval::PortSet;
use std::fmt;

/// The protocol of one flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    /// Transmission Control Protocol (IP protocol 6), with ports.
    Tcp,
    /// User Datagram Protocol (IP protocol 17), with ports.
    Udp,
    /// Stream Control Transmission Protocol (IP protocol 132), with ports; Kubernetes policies name it, Azure NSGs do not.
    Sctp,
    /// ICMP (IP protocol 1, or 58 for ICMPv6); it has no ports.
    Icmp,
    /// IPsec Encapsulating Security Payload (IP protocol 50).
    Esp,
    /// IPsec Authentication Header (IP protocol 51).
    Ah,
    /// Any IP protocol not named above (GRE, ...); it has no ports.
    Other,
}

impl Protocol {
    /// The protocols with ports, in the order of [`ConnSet`]'s port sets.
    pub const PORTED: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];
    /// The protocols without ports, each one flag of a [`ConnSet`].
    pub const PORTLESS: [Protocol; 4] = [Protocol::Icmp, Protocol::Esp, Protocol::Ah, Protocol::Other];

    /// `tcp`, `udp`, `sctp`, `icmp`, `esp` or `ah`, in any case.
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            "ICMP" => Some(Protocol::Icmp),
            "ESP" => Some(Protocol::Esp),
            "AH" => Some(Protocol::Ah),
            _ => None,
        }
    }

    /// The name every output uses: `TCP`, `UDP`, `SCTP`, `ICMP`, `ESP`, `AH`,
    /// or `other IP protocols`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
            Protocol::Icmp => "ICMP",
            Protocol::Esp => "ESP",
            Protocol::Ah => "AH",
            Protocol::Other => "other IP protocols",
        }
    }

    /// Does the protocol carry ports (TCP, UDP, SCTP)?
    pub fn has_ports(self) -> bool {
        self.index().is_some()
    }

    fn index(self) -> Option<usize> {
        match self {
            Protocol::Tcp => Some(0),
            Protocol::Udp => Some(1),
            Protocol::Sctp => Some(2),
            _ => None,
        }
    }

    /// The flag of a protocol without ports in [`ConnSet::portless`].
    fn bit(self) -> u8 {
        match self {
            Protocol::Icmp => 1,
            Protocol::Esp => 2,
            Protocol::Ah => 4,
            Protocol::Other => 8,
            _ => 0,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every flag of [`ConnSet::portless`].
const ALL_PORTLESS: u8 = 1 | 2 | 4 | 8;

/// A set of connections: per port protocol (TCP, UDP, SCTP) a [`PortSet`],
/// and one flag per protocol without ports (ICMP, ESP, AH, the others).
/// The empty set is "no connection", [`ConnSet::all`] "All Connections".
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ConnSet {
    ports: [PortSet; 3],
    /// Protocols without ports, one bit each ([`Protocol::bit`]).
    portless: u8,
}

impl ConnSet {
    /// The empty set: no connection.
    pub fn none() -> ConnSet {
        ConnSet::default()
    }

    /// Every protocol, every port (1–65535): "All Connections".
    pub fn all() -> ConnSet {
        ConnSet { ports: [PortSet::all_ports(), PortSet::all_ports(), PortSet::all_ports()], portless: ALL_PORTLESS }
    }

    /// `ports` of one protocol; for protocols without ports the port set
    /// is ignored.
    pub fn of(proto: Protocol, ports: PortSet) -> ConnSet {
        let mut c = ConnSet::none();
        match proto.index() {
            Some(i) => c.ports[i] = ports.intersect(&PortSet::all_ports()),
            None => c.portless = proto.bit(),
        }
        c
    }

    /// The ports of a protocol with ports; `None` for a protocol without ports.
    pub fn ports(&self, proto: Protocol) -> Option<&PortSet> {
        proto.index().map(|i| &self.ports[i])
    }

    /// Does the set hold any protocol without ports?
    pub fn has_non_port(&self) -> bool {
        self.portless != 0
    }

    /// The protocols without ports in the set.
    pub fn portless(&self) -> impl Iterator<Item = Protocol> + '_ {
        Protocol::PORTLESS.into_iter().filter(|p| self.portless & p.bit() != 0)
    }

    /// Does the set hold no connection at all?
    pub fn is_empty(&self) -> bool {
        self.portless == 0 && self.ports.iter().all(|p| p.is_empty())
    }

    /// Does the set hold every connection ([`ConnSet::all`])?
    pub fn is_all(&self) -> bool {
        *self == ConnSet::all()
    }

    /// Does the set allow this protocol on this port (the port is ignored
    /// for protocols without ports)?
    pub fn allows(&self, proto: Protocol, port: u16) -> bool {
        match proto.index() {
            Some(i) => self.ports[i].contains(port),
            None => self.portless & proto.bit() != 0,
        }
    }

    fn zip(&self, o: &ConnSet, f: impl Fn(&PortSet, &PortSet) -> PortSet, b: impl Fn(u8, u8) -> u8) -> ConnSet {
        ConnSet {
            ports: [f(&self.ports[0], &o.ports[0]), f(&self.ports[1], &o.ports[1]), f(&self.ports[2], &o.ports[2])],
            portless: b(self.portless, o.portless) & ALL_PORTLESS,
        }
    }

    /// The connections in either set.
    pub fn union(&self, o: &ConnSet) -> ConnSet {
        self.zip(o, PortSet::union, |a, b| a | b)
    }

    /// The connections in both sets.
    pub fn intersect(&self, o: &ConnSet) -> ConnSet {
        self.zip(o, PortSet::intersect, |a, b| a & b)
    }

    /// The connections of `self` not in `o`.
    pub fn subtract(&self, o: &ConnSet) -> ConnSet {
        self.zip(o, PortSet::subtract, |a, b| a & !b)
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
        if self.portless == ALL_PORTLESS {
            parts.push("ICMP and other non-port protocols".to_string());
        } else {
            parts.extend(self.portless().map(|p| p.name().to_string()));
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

    #[test]
    fn icmp_esp_ah_and_the_other_protocols_are_told_apart() {
        let icmp = ConnSet::of(Protocol::Icmp, PortSet::empty());
        assert!(icmp.allows(Protocol::Icmp, 0));
        assert!(!icmp.allows(Protocol::Esp, 0));
        assert!(!icmp.allows(Protocol::Other, 0));
        assert_eq!(icmp.to_string(), "ICMP");
        let ipsec = ConnSet::of(Protocol::Esp, PortSet::empty()).union(&ConnSet::of(Protocol::Ah, PortSet::empty()));
        assert_eq!(ipsec.to_string(), "ESP,AH");
        let rest = ConnSet::all().subtract(&ipsec);
        assert!(rest.allows(Protocol::Other, 0) && rest.allows(Protocol::Icmp, 0) && !rest.allows(Protocol::Ah, 0));
        assert!(ConnSet::all().subtract(&rest).subtract(&ipsec).is_empty());
    }
}
