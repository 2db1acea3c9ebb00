//! Reports of the Kubernetes policy layer: the matrix and explanations.

mod explain;
mod matrix;

pub use explain::{
    render_explanation, render_explanation_json, render_service_explanation, render_service_explanation_json,
};
pub use matrix::{render_matrix, MatrixFormat};
