//! The complete view of an estate every Azure analysis shares, built in one
//! step: the [`EstateIndex`] (owners, subnets by address, peerings, service
//! tags, ASG members, on-premises prefixes), then every subnet's effective
//! routes over it, then the `tusk.yaml` rules of each NIC that is an NVA.
//! There is no half-built `Prepared`: routes need the index, and nothing
//! else needs routes while the index is built.

use super::index::{EstateIndex, Owner};
use super::routes::{self, EffectiveRoutes};
use std::ops::Deref;
use std::sync::OnceLock;
use tusk_model::azure::*;
use tusk_model::config::{Config, NvaConfig};

pub use super::fx::FxMap;
pub use super::index::{cidr_has, HOST_VIP};

/// The estate ready for traces: the index, every subnet's effective
/// routes and the `tusk.yaml` NVAs, built in one step by `Prepared::new`.
pub struct Prepared<'a> {
    ix: EstateIndex<'a>,
    /// The effective routes of every subnet.
    pub routes: IdxVec<Subnet, EffectiveRoutes>,
    /// The routes private endpoints use in subnets that have a route table
    /// but do not apply it to them (see [`routes::system_routes`]).
    pe_routes: FxMap<Idx<Subnet>, EffectiveRoutes>,
    /// Per NIC: its NVA rules from `tusk.yaml`, if any.
    nvas: IdxVec<NetworkInterface, Option<&'a NvaConfig>>,
    /// The address cuts of [`super::members`], computed on first use.
    cuts: OnceLock<Vec<u128>>,
}

impl<'a> Deref for Prepared<'a> {
    type Target = EstateIndex<'a>;
    fn deref(&self) -> &EstateIndex<'a> {
        &self.ix
    }
}

impl<'a> Prepared<'a> {
    /// The index, the effective routes, and `tusk.yaml`'s NVA rules bound
    /// to their NICs.
    pub fn new(net: &'a AzureNetwork, config: &'a Config) -> Prepared<'a> {
        let ix = EstateIndex::new(net);
        let routes = IdxVec::build(&net.subnets, |s| routes::effective_routes(&ix, s));
        let mut pe_routes = FxMap::default();
        for pe in &net.private_endpoints {
            if let Some(s) = pe.subnet.as_ref().and_then(Link::found) {
                let sub = &net.subnets[s];
                if sub.route_table.is_some() && !sub.private_endpoint_policies.route_table_applies() {
                    pe_routes.entry(s).or_insert_with(|| routes::system_routes(&ix, s));
                }
            }
        }
        let mut nvas = IdxVec::filled(&net.nics, None);
        for c in &config.nvas {
            if let Some(slot) = c.nic_index.and_then(|n| nvas.get_mut(n)) {
                *slot = Some(c);
            }
        }
        Prepared { ix, routes, pe_routes, nvas, cuts: OnceLock::new() }
    }

    /// The routes traffic sent by `sender` in subnet `s` follows: a private
    /// endpoint ignores the subnet's route table unless the subnet's
    /// `privateEndpointNetworkPolicies` enables route tables.
    pub fn routes_from(&self, s: Idx<Subnet>, sender: Option<Owner>) -> &EffectiveRoutes {
        match sender {
            Some(Owner::PrivateEndpoint(_)) => self.pe_routes.get(&s).unwrap_or(&self.routes[s]),
            _ => &self.routes[s],
        }
    }

    /// Every boundary of the address sets the controls test, sorted: two
    /// addresses between the same two cuts match every address test of the
    /// estate alike ([`super::members::representatives`] picks one address
    /// per such cell).
    pub fn address_cuts(&self) -> &[u128] {
        self.cuts.get_or_init(|| super::members::cuts(self))
    }

    /// The index alone, for callers that need no routes.
    pub fn index(&self) -> &EstateIndex<'a> {
        &self.ix
    }

    /// The `tusk.yaml` rules of NIC `nic`, when it is a configured NVA.
    pub fn nva(&self, nic: Idx<NetworkInterface>) -> Option<&'a NvaConfig> {
        self.nvas.get(nic).copied().flatten()
    }
}
