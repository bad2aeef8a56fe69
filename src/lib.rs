//! istiolint: an offline linter, differ and generator for Istio traffic
//! configuration. The pipeline reads top to bottom: sources → yaml →
//! objects → checks → diagnostics → reporters.

pub mod yaml;
