//! One flow, as both engines ask about it: source and destination address,
//! protocol and destination port. The endpoint notation that names the ends
//! on the command line, and the resolvers beside each engine, produce
//! flows; the engines evaluate them.

use crate::conn::Protocol;
use std::net::IpAddr;

/// One flow: addresses, protocol and destination port (`None`: the
/// question is about every port at once, or the protocol has no ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flow {
    /// The source address (IPv4 or IPv6).
    pub src: IpAddr,
    /// The destination address.
    pub dst: IpAddr,
    /// The IP protocol.
    pub proto: Protocol,
    /// The destination port, 1–65535; `None` for every port or a protocol without ports.
    pub port: Option<u16>,
}
