//! The Kubernetes loader.

use crate::doc::{Doc, Node};
use tusk_core::{LoadError, Warning};
use tusk_model::k8s::Cluster;

pub fn is_k8s(root: &Node) -> bool {
    root.get("apiVersion").is_some() && root.get("kind").is_some()
}

#[derive(Debug, Default)]
pub struct Builder {}

impl Builder {
    pub fn add_document(&mut self, _doc: &Doc, _warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
        Ok(())
    }

    pub fn finish(self, _warnings: &mut Vec<Warning>) -> Result<Cluster, LoadError> {
        Ok(Cluster::default())
    }
}
