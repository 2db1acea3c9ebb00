//! Reports of the Kubernetes policy layer: the matrix and explanations.

pub mod doubt;
mod end_error;
pub use end_error::end_error;
mod explain;
pub(crate) use explain::layer_name;
mod explain_group;
mod matrix;
mod matrix_stream;
pub mod step;

pub use doubt::{ingress_controller_unknown, note};
pub use explain::{
    reason_text, render_explanation, render_service_explanation, render_service_explanation_json,
    write_explanation_json, SERVICE_SCHEMA,
};
pub use explain_group::{render_group_json, render_group_text};
pub use matrix::{
    ingress_controller_lines, netpol_analyzer_cuts, render_connlist, render_matrix, with_lines, write_matrix,
    write_matrix_l7, Cuts, MatrixFormat,
};
pub use matrix_stream::{label_width, MatrixStream};
mod semantics;
pub use semantics::semantics_text;
