//! The Azure loader: ARM resource bodies, `az ... -o json` output, REST list
//! responses and ARM templates into [`tusk_model::azure::AzureNetwork`].

use crate::doc::{Doc, Node};
use tusk_core::{LoadError, Warning};
use tusk_model::azure::AzureNetwork;

/// Does this document look like Azure material at all?
pub fn is_azure(_root: &Node) -> bool {
    false
}

#[derive(Debug, Default)]
pub struct Builder {}

impl Builder {
    pub fn is_empty(&self) -> bool {
        true
    }

    pub fn add_document(&mut self, _doc: &Doc, _warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
        Ok(())
    }

    pub fn finish(self, _warnings: &mut Vec<Warning>) -> Result<AzureNetwork, LoadError> {
        Ok(AzureNetwork::default())
    }
}
