//! IP address sets. IPv4 and IPv6 share one `u128` domain: an IPv4 address is
//! held as its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2), so
//! one interval set answers for both families and `0.0.0.0/0` is simply the
//! mapped /96.

use crate::interval::IntervalSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A set of IPv4 and IPv6 addresses in the shared `u128` domain (IPv4 as
/// IPv4-mapped IPv6, see the module documentation).
pub type IpSet = IntervalSet<u128>;

const V4_BASE: u128 = 0xffff_0000_0000;

/// Maps an address into the shared domain.
pub fn ip_to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => V4_BASE | u32::from(v4) as u128,
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The inverse of [`ip_to_u128`]: mapped addresses come back as IPv4.
pub fn u128_to_ip(v: u128) -> IpAddr {
    if v >> 32 == 0xffff {
        IpAddr::V4(Ipv4Addr::from(v as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(v))
    }
}

/// An inclusive range of addresses, written `a-b` like netpol-analyzer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpRange {
    /// The first address, in the shared `u128` domain.
    pub lo: u128,
    /// The last address, included.
    pub hi: u128,
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", u128_to_ip(self.lo), u128_to_ip(self.hi))
    }
}

/// A parsed CIDR block. `canonical` is false when host bits were set
/// (`10.0.0.1/24`): Go's `net.ParseCIDR`, which Kubernetes validation uses,
/// accepts that and masks it, so loaders decide whether to warn or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The address as written (host bits kept when `canonical` is false).
    pub addr: IpAddr,
    /// The prefix length: 0–32 for IPv4, 0–128 for IPv6.
    pub prefix: u8,
    /// False when the address had host bits set beyond the prefix.
    pub canonical: bool,
}

/// Why a text is not a CIDR (or address). Converts into the `String`
/// message loaders wrap in a located error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// No `/` in the text.
    #[error("`{0}` is not a CIDR (expected ADDRESS/PREFIX)")]
    NoPrefix(String),
    /// The part before `/` is not an IP address.
    #[error("`{addr}` is not an IP address (in CIDR `{cidr}`)")]
    Address {
        /// The part before `/`.
        addr: String,
        /// The whole text.
        cidr: String,
    },
    /// The part after `/` is not a prefix length of the address's family.
    #[error("`{prefix}` is not a prefix length 0..={max} (in CIDR `{cidr}`)")]
    PrefixLength {
        /// The part after `/`.
        prefix: String,
        /// The family's longest prefix: 32 (IPv4) or 128 (IPv6).
        max: u8,
        /// The whole text.
        cidr: String,
    },
    /// Neither an address nor `ADDRESS/PREFIX`.
    #[error("`{0}` is not an IP address or CIDR")]
    NotAddressOrCidr(String),
}

impl From<CidrError> for String {
    fn from(e: CidrError) -> String {
        e.to_string()
    }
}

impl Cidr {
    /// Parses `ADDRESS/PREFIX` (IPv4 or IPv6). Host bits are accepted and
    /// masked, with `canonical` false, as Go's `net.ParseCIDR` does.
    ///
    /// # Errors
    ///
    /// [`CidrError`] when there is no `/`, the address or the prefix length
    /// (0–32, 0–128) does not parse.
    pub fn parse(s: &str) -> Result<Cidr, CidrError> {
        let (a, p) = s.split_once('/').ok_or_else(|| CidrError::NoPrefix(s.to_string()))?;
        let addr: IpAddr = a.parse().map_err(|_| CidrError::Address { addr: a.to_string(), cidr: s.to_string() })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = p.parse().ok().filter(|n| *n <= max).ok_or_else(|| CidrError::PrefixLength {
            prefix: p.to_string(),
            max,
            cidr: s.to_string(),
        })?;
        let r = Cidr { addr, prefix, canonical: true }.range();
        Ok(Cidr { addr, prefix, canonical: r.lo == ip_to_u128(addr) })
    }

    /// Parses either a CIDR or a bare address (taken as /32 or /128).
    pub fn parse_prefix_or_addr(s: &str) -> Result<Cidr, CidrError> {
        if s.contains('/') {
            return Cidr::parse(s);
        }
        let addr: IpAddr = s.parse().map_err(|_| CidrError::NotAddressOrCidr(s.to_string()))?;
        Ok(Cidr { addr, prefix: if addr.is_ipv4() { 32 } else { 128 }, canonical: true })
    }

    /// The block's addresses, first to last (host bits masked).
    pub fn range(&self) -> IpRange {
        let v = ip_to_u128(self.addr);
        let host_bits = match self.addr {
            IpAddr::V4(_) => 32 - self.prefix as u32,
            IpAddr::V6(_) => 128 - self.prefix as u32,
        };
        let mask: u128 = if host_bits >= 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
        IpRange { lo: v & !mask, hi: v | mask }
    }

    /// The block's addresses as a set.
    pub fn set(&self) -> IpSet {
        let r = self.range();
        IpSet::range(r.lo, r.hi)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", u128_to_ip(self.range().lo), self.prefix)
    }
}

/// All IPv4 addresses.
pub fn all_v4() -> IpSet {
    IpSet::range(V4_BASE, V4_BASE | u32::MAX as u128)
}

/// All addresses of both families.
pub fn all_ips() -> IpSet {
    IpSet::range(0, u128::MAX)
}

/// The set of one address.
pub fn addr_set(ip: IpAddr) -> IpSet {
    IpSet::single(ip_to_u128(ip))
}

impl IpSet {
    /// The set's ranges as [`IpRange`]s, in address order.
    pub fn ip_ranges(&self) -> impl Iterator<Item = IpRange> + '_ {
        self.ranges().iter().map(|&(lo, hi)| IpRange { lo, hi })
    }

    /// Does the set hold the address?
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        self.contains(ip_to_u128(ip))
    }

    /// The set as the fewest CIDR blocks (`10.0.0.0/8`, `10.1.2.3/32`),
    /// IPv4 blocks in IPv4 notation.
    pub fn to_cidr_strings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for &(lo, hi) in self.ranges() {
            let mut start = lo;
            loop {
                // The largest block aligned at `start` that stays within `hi`.
                let mut bits = if start == 0 { 128 } else { start.trailing_zeros().min(128) };
                while bits > 0 && (bits == 128 || start + ((1u128 << bits) - 1) > hi) {
                    bits -= 1;
                }
                if bits == 128 {
                    out.push("::/0".to_string());
                    break;
                }
                let last = start + ((1u128 << bits) - 1);
                let ip = u128_to_ip(start);
                let prefix = if ip.is_ipv4() { 32 - bits.min(32) } else { 128 - bits };
                out.push(format!("{ip}/{prefix}"));
                if last >= hi {
                    break;
                }
                start = last + 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_ranges_and_canonical_flag() {
        let c = Cidr::parse("10.1.2.3/16").unwrap();
        assert!(!c.canonical);
        assert_eq!(c.range().to_string(), "10.1.0.0-10.1.255.255");
        assert_eq!(Cidr::parse("0.0.0.0/0").unwrap().set(), all_v4());
        assert_eq!(Cidr::parse("::/0").unwrap().set(), all_ips());
        assert_eq!(
            Cidr::parse("2001:db8::/32").unwrap().range().to_string(),
            "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
        );
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("10.0.0/8").is_err());
        assert!(Cidr::parse("10.0.0.0").is_err());
        assert_eq!(Cidr::parse_prefix_or_addr("10.0.0.7").unwrap().range().to_string(), "10.0.0.7-10.0.0.7");
    }

    #[test]
    fn cidr_strings_are_minimal() {
        let s = |c: &str| Cidr::parse(c).unwrap().set();
        assert_eq!(s("10.0.0.0/8").to_cidr_strings(), ["10.0.0.0/8"]);
        assert_eq!(all_v4().to_cidr_strings(), ["0.0.0.0/0"]);
        assert_eq!(s("10.0.0.0/8").subtract(&s("10.1.0.0/16")).to_cidr_strings().len(), 8);
        assert_eq!(addr_set("10.1.2.3".parse().unwrap()).to_cidr_strings(), ["10.1.2.3/32"]);
        assert_eq!(
            IpSet::range(ip_to_u128("10.0.0.1".parse().unwrap()), ip_to_u128("10.0.0.6".parse().unwrap()))
                .to_cidr_strings(),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
        assert_eq!(s("2001:db8::/32").to_cidr_strings(), ["2001:db8::/32"]);
    }

    #[test]
    fn v4_and_v6_do_not_mix() {
        let v4 = Cidr::parse("0.0.0.0/0").unwrap().set();
        let v6 = Cidr::parse("2000::/3").unwrap().set();
        assert!(v4.intersect(&v6).is_empty());
    }
}
