//! `istiolint diff`: exit 0 without differences, 1 with, 2 on error (as
//! `kubectl diff`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::diff::{self, Status};

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("applied").required(true).args(["against", "against_git", "live"]))]
pub struct DiffArgs {
    /// Local manifests: files, directories or `-`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The applied versions: a manifest file (e.g. `kubectl get dr,vs -o yaml`) or `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,
    /// The same paths at a git revision.
    #[arg(long, value_name = "REV")]
    pub against_git: Option<String>,
    /// Read each object from the cluster with `kubectl get` (read-only).
    #[arg(long)]
    pub live: bool,
    /// kubectl context (with --live).
    #[arg(long, requires = "live")]
    pub context: Option<String>,
    /// kubeconfig file (with --live).
    #[arg(long, requires = "live")]
    pub kubeconfig: Option<PathBuf>,
    /// Namespace of local objects that name none.
    #[arg(short, long, default_value = "default")]
    pub namespace: String,
    /// A JSON pointer to ignore (fields a controller rewrites, e.g. /spec/http/*/route/*/weight; `*` is any key or index).
    #[arg(long, value_name = "POINTER")]
    pub ignore_path: Vec<String>,
    /// Also list applied objects that are not in the local files.
    #[arg(long)]
    pub show_extra: bool,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Colour of the text output (NO_COLOR and FORCE_COLOR apply to auto).
    #[arg(long, value_enum, default_value_t = crate::cli::Color::Auto)]
    pub color: crate::cli::Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

pub fn run(args: DiffArgs, out: &mut dyn Write) -> Result<ExitCode, String> {
    for p in &args.ignore_path {
        if !p.starts_with('/') {
            return Err(format!(
                "--ignore-path `{p}` is not a JSON pointer (it starts with /)"
            ));
        }
    }
    if args.paths.iter().any(|p| p.as_os_str() == "-")
        && args.against.as_ref().is_some_and(|a| a.as_os_str() == "-")
    {
        return Err("standard input can be the local files or --against, not both".into());
    }
    let (local, duplicates) =
        diff::last_definitions(diff::load_paths_named(&args.paths)?, &args.namespace);
    for note in duplicates {
        eprintln!("istiolint: note: {}", crate::cli_output::printable(&note));
    }
    // The other side, as the diff headers name it.
    let label = match (&args.against, &args.against_git) {
        (Some(a), _) if a.as_os_str() == "-" => "applied (stdin)".to_string(),
        (Some(a), _) => a.display().to_string(),
        (None, Some(rev)) => format!("git {rev}"),
        (None, None) => "live".to_string(),
    };
    let applied = if let Some(a) = &args.against {
        diff::load_paths(std::slice::from_ref(a))?
    } else if let Some(rev) = &args.against_git {
        diff::load_git(&args.paths, rev)?
    } else {
        diff::load_live(
            &local,
            &args.namespace,
            args.context.as_deref(),
            args.kubeconfig.as_deref(),
        )?
    };
    let opts = diff::Options {
        namespace: args.namespace.clone(),
        ignore_paths: args.ignore_path.clone(),
    };
    for p in &args.ignore_path {
        if !local
            .iter()
            .chain(&applied)
            .any(|o| diff::pointer_matches(o, p))
        {
            eprintln!(
                "istiolint: note: --ignore-path {} matches nothing in any object",
                crate::cli_output::printable(p)
            );
        }
    }
    let all = diff::diff(&local, &applied, &opts);
    for hint in diff::namespace_hints(&all, &applied, &args.namespace) {
        eprintln!("istiolint: note: {}", crate::cli_output::printable(&hint));
    }
    let shown: Vec<&diff::ObjectDiff> = all
        .iter()
        .filter(|d| args.show_extra || d.status != Status::NotInLocalFiles)
        .collect();
    let text = match args.format {
        DiffFormat::Text => {
            let color =
                crate::cli_output::color_enabled(args.color, std::io::stdout().is_terminal());
            diff::render_text(&shown, color, &label)
        }
        DiffFormat::Json => diff::render_json(&shown),
    };
    out.write_all(text.as_bytes())
        .map_err(crate::cli::io_error)?;
    Ok(ExitCode::from(u8::from(!shown.is_empty())))
}
