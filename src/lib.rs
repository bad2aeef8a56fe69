//! istiolint: an offline linter, differ and generator for Istio traffic
//! configuration. The pipeline reads top to bottom: sources → yaml →
//! objects → checks → diagnostics → reporters.

pub mod check;
pub mod check_context;
pub mod check_options;
pub mod cli;
pub mod cli_diff;
pub mod cli_explain;
pub mod cli_generate;
pub mod cli_man;
pub mod cli_output;
pub mod cli_route;
pub mod cli_server;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod duration;
pub mod emit;
pub mod explain;
pub mod fix;
pub mod fsutil;
pub mod generate;
pub mod kustomize;
pub mod locate;
pub mod model;
pub mod objects;
pub mod progress;
pub mod report;
pub mod route;
pub mod rules;
pub mod schema;
pub mod server;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod template;
pub mod yaml;
