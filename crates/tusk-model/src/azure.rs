//! The Azure network: virtual networks, subnets, peerings, NSGs, route tables,
//! firewalls and gateways. (Filled in by the Azure network layer.)

/// The Azure resources of an estate.
#[derive(Debug, Clone, Default)]
pub struct AzureNetwork {}
