//! Reports of the Kubernetes policy layer: the matrix and explanations.

mod explain;
mod matrix;

pub use explain::{render_explanation, write_explanation_json};
pub use matrix::{render_matrix, write_matrix, MatrixFormat};
