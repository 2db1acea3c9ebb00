//! Reports of the Kubernetes policy layer: the matrix and explanations.

mod explain;
mod matrix;

pub use explain::{render_explanation, render_explanation_json};
pub use matrix::{endpoint_name as endpoint_label, render_matrix, MatrixFormat};
