//! Reports of the Kubernetes policy layer: the matrix and explanations.

mod explain;
mod explain_group;
mod matrix;

pub use explain::{render_explanation, render_explanation_json};
pub use explain_group::{render_group_json, render_group_text};
pub use matrix::{render_matrix, MatrixFormat};
