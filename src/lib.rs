//! istiolint: an offline linter, differ and generator for Istio traffic
//! configuration. The pipeline reads top to bottom: sources → yaml →
//! objects → checks → diagnostics → reporters.

pub mod check;
pub mod cli;
pub mod cli_diff;
pub mod cli_generate;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod duration;
pub mod emit;
pub mod fix;
pub mod fsutil;
pub mod generate;
pub mod locate;
pub mod model;
pub mod objects;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod template;
pub mod yaml;
