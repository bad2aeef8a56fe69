//! `istiolint generate ...`: flags → manifest → self-check → output.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use crate::check::{check_source, Options};
use crate::diagnostic::Severity;
use crate::generate::{self, Breaker, Meta, SplitSpec, SubsetSpec};
use crate::source::Source;
use crate::{emit, fsutil};

// Parsed once per process; boxing the big variant buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum GenerateCommand {
    /// A VirtualService splitting traffic between subsets: `SUBSET=WEIGHT` or `SUBSET` (even split).
    Split {
        host: String,
        #[arg(required = true, value_name = "SUBSET[=WEIGHT]")]
        split: Vec<SplitSpec>,
        /// Allow weights that do not add up to 100 (relative weights, Istio >= 1.15).
        #[arg(long)]
        relative_weights: bool,
        #[command(flatten)]
        common: Common,
    },
    /// A DestinationRule defining subsets: `NAME:KEY=VALUE[,KEY=VALUE]`, or `vN` for `version-vN:version=vN`.
    Subsets {
        host: String,
        #[arg(required = true, value_name = "NAME:KEY=VALUE")]
        subsets: Vec<SubsetSpec>,
        #[command(flatten)]
        common: Common,
    },
    /// A DestinationRule with subsets and a circuit breaker (connection pool + outlier detection).
    #[command(allow_negative_numbers = true)]
    CircuitBreaker {
        host: String,
        #[arg(value_name = "NAME:KEY=VALUE")]
        subsets: Vec<SubsetSpec>,
        /// Put the policy on this subset only (default: the whole host).
        #[arg(long, value_name = "SUBSET")]
        for_subset: Option<String>,
        #[command(flatten)]
        breaker: Breaker,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Args, Debug)]
pub struct Common {
    /// networking.istio.io/v1 (default), v1beta1 or v1alpha3; the group may be omitted.
    #[arg(long, default_value = "v1")]
    pub api_version: String,
    /// metadata.namespace (omitted by default).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// metadata.name (default: the host's short name).
    #[arg(long)]
    pub name: Option<String>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutFormat::Yaml)]
    pub format: OutFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    Yaml,
    Json,
}

pub fn run(cmd: GenerateCommand, out: &mut dyn Write) -> Result<ExitCode, String> {
    let (common, value) = build(cmd)?;
    let yaml = emit::to_yaml(&value);
    self_check(&yaml)?;
    let text = match common.format {
        OutFormat::Yaml => yaml,
        OutFormat::Json => emit::to_json(&value),
    };
    match &common.output {
        Some(path) => fsutil::write_atomic(path, text.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?,
        None => out
            .write_all(text.as_bytes())
            .map_err(crate::cli::io_error)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the manifest for a command.
pub fn build(cmd: GenerateCommand) -> Result<(Common, Value), String> {
    let meta = |c: &Common, host: &str| -> Result<Meta, String> {
        Ok(Meta {
            api_version: Meta::api_version(&c.api_version)?,
            name: c.name.clone().unwrap_or_else(|| generate::short_name(host)),
            namespace: c.namespace.clone(),
        })
    };
    Ok(match cmd {
        GenerateCommand::Split {
            host,
            split,
            relative_weights,
            common,
        } => {
            let v = generate::split(&meta(&common, &host)?, &host, &split, relative_weights)?;
            (common, v)
        }
        GenerateCommand::Subsets {
            host,
            subsets,
            common,
        } => {
            let v = generate::destination_rule(&meta(&common, &host)?, &host, &subsets, None)?;
            (common, v)
        }
        GenerateCommand::CircuitBreaker {
            host,
            subsets,
            for_subset,
            breaker,
            common,
        } => {
            let v = generate::destination_rule(
                &meta(&common, &host)?,
                &host,
                &subsets,
                Some((&breaker, for_subset.as_deref())),
            )?;
            (common, v)
        }
    })
}

/// Our own rules on what we generate: an error is a bug in istiolint; a
/// warning (e.g. `--max-ejection-percent 100`) is what the flags asked for,
/// so it is shown on stderr and the manifest is still written.
pub fn self_check(yaml: &str) -> Result<(), String> {
    let src = Source {
        name: Arc::from("<generated>"),
        text: Arc::from(yaml),
    };
    let outcome = check_source(&src, &Options::default());
    for d in &outcome.diagnostics {
        match d.severity {
            Severity::Error => {
                return Err(format!(
                    "internal error: generated manifest fails {} ({}): {}",
                    d.rule.code, d.rule.name, d.message
                ))
            }
            Severity::Warning => eprintln!(
                "istiolint: warning[{}]: {}",
                d.rule.code,
                crate::report::escape::visible(&d.message)
            ),
            Severity::Info => {}
        }
    }
    Ok(())
}
