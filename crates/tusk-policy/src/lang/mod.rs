//! One compiler per policy language, each into the tiers of [`super::tier`],
//! each beside its plain per-flow counterpart: `compile*` writes rules over
//! peer bitmaps into a [`super::compile::Builder`], `explain*` walks one
//! flow through the same policies with direct label matching, for
//! `tusk explain` and as the reference of the property tests.

pub mod anp;
pub mod calico;
pub mod calico_explain;
pub mod cilium;
pub mod istio;
pub mod netpol;
