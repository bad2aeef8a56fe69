//! `istiolint explain [HOST] PATHS...`: what the routing and the circuit
//! breakers will do (exit 0), or why the inputs cannot be read (exit 2).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::diagnostic::{Diagnostic, Severity};
use crate::explain::{self, Inputs, Options};
use crate::model::{Inventory, Meta};
use crate::yaml::Limits;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// An optional host (short names resolve in -n), then files, directories or `-`.
    /// The first argument is the host when it is not an existing path.
    #[arg(required = true, value_name = "[HOST] PATHS")]
    pub args: Vec<String>,
    /// Namespace of objects that name none, and of a short HOST.
    #[arg(short, long, default_value = "default")]
    pub namespace: String,
    /// Only the routes from this gateway (NS/NAME), or `mesh`.
    #[arg(long, value_name = "NS/NAME")]
    pub gateway: Option<String>,
    /// Client proxies calling the host: the fleet ceiling is clients x the per-proxy limit.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub clients: Option<u64>,
    /// Requests in flight at once per client proxy, for the load estimate.
    #[arg(long, value_name = "C")]
    pub concurrency: Option<u64>,
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
    Mermaid,
}

/// Splits `[HOST] PATHS...`: the first argument is the host unless it is
/// `-` or names an existing file or directory.
fn split_args(args: &[String]) -> Result<(Option<String>, Vec<PathBuf>), String> {
    let first = args.first().ok_or("give the manifests to read")?;
    let is_path = first == "-" || std::path::Path::new(first).exists();
    let (host, paths) = if is_path {
        (None, args)
    } else {
        (Some(first.clone()), &args[1..])
    };
    if paths.is_empty() {
        return Err(format!(
            "{first}: no such file or directory (give the manifests to read after the host)"
        ));
    }
    Ok((host, paths.iter().map(PathBuf::from).collect()))
}

pub fn run(args: ExplainArgs, out: &mut dyn Write) -> Result<ExitCode, String> {
    let (host, paths) = split_args(&args.args)?;
    let inputs = load(&paths, &mut std::io::stderr())?;
    let opts = Options {
        host,
        namespace: args.namespace,
        gateway: args.gateway,
        clients: args.clients,
        concurrency: args.concurrency,
    };
    let e = explain::explain(&inputs, &opts);
    let text = match args.format {
        ExplainFormat::Human => explain::human::render(&e),
        ExplainFormat::Json => serde_json::to_string_pretty(&e).expect("serialisable") + "\n",
        ExplainFormat::Mermaid => explain::mermaid::render(&e),
    };
    out.write_all(text.as_bytes())
        .map_err(crate::cli::io_error)?;
    Ok(ExitCode::SUCCESS)
}

/// The VirtualServices and DestinationRules of the paths, read as `check`
/// reads them. A problem of error severity (invalid YAML) stops the run,
/// naming file, line and column; lesser ones are printed and skipped.
pub fn load(paths: &[PathBuf], warnings: &mut dyn Write) -> Result<Inputs, String> {
    let (inventory, problems) =
        Inventory::load(paths, Limits::default()).map_err(|e| e.to_string())?;
    let at = |d: &Diagnostic| {
        format!(
            "{}:{}:{}: {} [{}]",
            d.file,
            d.line(),
            d.column(),
            d.message,
            d.rule.code
        )
    };
    if let Some(d) = problems.iter().find(|d| d.severity == Severity::Error) {
        return Err(at(d));
    }
    for d in &problems {
        let _ = writeln!(warnings, "warning: {}", at(d));
    }
    Ok(inputs_of(inventory))
}

/// An object given twice (same kind, namespace and name) is the later one,
/// as `kubectl apply` leaves it; then Istio's order: oldest first, then
/// name, then namespace (pilot/pkg/model/config.go configCompareByCreationTime).
pub fn inputs_of(inventory: Inventory) -> Inputs {
    fn latest<T>(items: Vec<T>, meta: impl Fn(&T) -> &Meta) -> Vec<T> {
        let mut out: Vec<T> = Vec::new();
        for item in items {
            let key = |m: &Meta| (m.namespace.clone(), m.name.clone());
            let k = key(meta(&item));
            out.retain(|old| key(meta(old)) != k);
            out.push(item);
        }
        out.sort_by(|a, b| {
            let (a, b) = (meta(a), meta(b));
            (&a.creation_timestamp, &a.name, &a.namespace).cmp(&(
                &b.creation_timestamp,
                &b.name,
                &b.namespace,
            ))
        });
        out
    }
    Inputs {
        virtual_services: latest(inventory.virtual_services, |v| &v.meta),
        destination_rules: latest(inventory.destination_rules, |d| &d.meta),
        services: latest(inventory.services, |s| &s.meta),
    }
}
