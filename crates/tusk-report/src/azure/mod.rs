//! Renderings of the Azure analyses: `tusk trace` (text and JSON),
//! `tusk routes` and `tusk rules` (text and JSON).

pub mod reach;
pub mod routes;
pub mod rules;
pub mod trace_brief;
pub mod trace_group;
pub mod trace_json;
pub mod trace_text;
