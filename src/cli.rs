//! The command line: parses arguments, runs a command, maps outcomes to exit
//! codes (0 clean, 1 findings at or above --fail-on, 2 usage or I/O error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check::{self, Options, PathOverride};
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::report::{self, Format};
use crate::rules;
use crate::schema::IstioVersion;

#[derive(Parser, Debug)]
#[command(
    name = "istiolint",
    version,
    about = "Offline linter for Istio DestinationRules and VirtualServices"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process; boxing the big variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check manifests: files, directories (recursive) or `-` for stdin.
    Check(CheckArgs),
    /// List every rule with its code, name and default severity.
    Rules {
        /// Print the Markdown table used in the README.
        #[arg(long)]
        markdown: bool,
        /// Print the severities that apply to this Istio release (default: newest bundled).
        #[arg(long, value_name = "VERSION")]
        istio_version: Option<IstioVersion>,
    },
    /// Compare local manifests with the applied versions (exit 0 same, 1 different, 2 error).
    Diff(crate::cli_diff::DiffArgs),
    /// Explain what the routing and the circuit breakers of a host will do.
    Explain(crate::cli_explain::ExplainArgs),
    /// Generate manifests (traffic splits, subsets, circuit breakers) from flags.
    #[command(subcommand)]
    Generate(crate::cli_generate::GenerateCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print a man page (roff): istiolint(1), or one per subcommand (`man check`, `--dir DIR`).
    Man(crate::cli_man::ManArgs),
    /// Print the effective configuration (the nearest .istiolint.yaml merged with defaults).
    Config(ConfigArgs),
    /// Run the language server on stdio (diagnostics, fixes, hover, definition, completion).
    Server(crate::cli_server::ServerArgs),
    /// Where a request goes: the VirtualService rule, destinations and Envoy clusters.
    Route(crate::cli_route::RouteArgs),
    /// Run routing test files (istio-config-validator's or istiolint's) against manifests.
    Test(crate::cli_route::TestArgs),
    /// Print the documentation of one rule, by code or name.
    Rule {
        /// A code (IL2001) or a name (unknown-field).
        code_or_name: String,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input. Default: `.`.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The Istio release to check against (e.g. 1.22, 1.30.3). Default: newest bundled.
    #[arg(long, value_name = "VERSION")]
    pub istio_version: Option<IstioVersion>,
    /// Exit with 1 when a finding at or above this severity remains [default: error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Only report these rules (codes, names, code prefixes like IL2, or ALL), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Report these rules too (codes, names or prefixes; opt-in rules included), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,
    /// Never report these rules (codes, names or code prefixes), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// Read for cross-object checks (e.g. the cluster's DestinationRules) but not reported on.
    #[arg(long, value_name = "PATH")]
    pub context_files: Vec<PathBuf>,
    /// Deprecated spelling of --context-files (diff's --context is a kubeconfig context).
    #[arg(long, value_name = "PATH", hide = true)]
    pub context: Vec<PathBuf>,
    /// The inputs are complete (a cluster snapshot): report missing hosts, subsets and gateways.
    #[arg(long)]
    pub closed_world: bool,
    /// The namespace of objects that name none (a kustomization's `namespace:` wins for its files).
    #[arg(short, long, default_value = "default")]
    pub namespace: String,
    /// Exit 0 even when findings remain (usage and I/O errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Write the report to FILE instead of standard output; FORMAT=FILE writes one more report in FORMAT (repeatable).
    #[arg(long, value_name = "[FORMAT=]FILE")]
    pub output_file: Vec<String>,
    /// The file name standard input (`-`) goes by in findings and config globs.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// List every file checked on standard error, with its objects.
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print only the findings, not the summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// After the findings, print how many each rule reported.
    #[arg(long)]
    pub statistics: bool,
    /// Apply safe fixes to the files (atomically), then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, also apply fixes that change behaviour.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change; write nothing (exit 1 if there is any).
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
}

#[derive(clap::Args, Debug, Default)]
pub struct ConfigArgs {
    /// Use this config file instead of the nearest .istiolint.yaml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any .istiolint.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

impl ConfigArgs {
    pub fn load(&self) -> Result<Config, String> {
        if self.no_config {
            return Ok(Config::default());
        }
        let path = match &self.config {
            Some(p) => Some(p.clone()),
            None => crate::config::discover(Path::new(".")),
        };
        match path {
            Some(p) => crate::config::load(&p),
            None => Ok(Config::default()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .long_version(crate::cli_output::long_version_static())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            let message = crate::report::escape::visible_text(&message);
            eprintln!("istiolint: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    // The server writes from its own thread: stdout must not be locked here.
    let command = match cli.command {
        Command::Server(args) => return crate::cli_server::run(args),
        command => command,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = io_error;
    match command {
        Command::Check(args) => check(args, &mut out),
        Command::Generate(cmd) => crate::cli_generate::run(cmd, &mut out),
        Command::Diff(args) => crate::cli_diff::run(args, &mut out),
        Command::Server(_) => unreachable!("handled above"),
        Command::Route(args) => crate::cli_route::run_route(args, &mut out),
        Command::Test(args) => crate::cli_route::run_test(args, &mut out),
        Command::Explain(args) => crate::cli_explain::run(args, &mut out),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "istiolint", &mut out);
            Ok(ExitCode::SUCCESS)
        }
        Command::Man(args) => {
            let cmd = <Cli as clap::CommandFactory>::command()
                .long_version(crate::cli_output::long_version_static());
            crate::cli_man::run(args, cmd, &mut out)
        }
        Command::Config(args) => {
            write!(out, "{}", args.load()?.render()).map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { markdown: true, .. } => {
            write!(out, "{}", rules::markdown_table()).map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules {
            markdown: false,
            istio_version,
        } => {
            let version = istio_version.unwrap_or_else(IstioVersion::newest_bundled);
            write!(out, "{}", rules::plain_table(version)).map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rule { code_or_name } => {
            let r = rules::find(&code_or_name).ok_or_else(|| {
                let names = rules::all().iter().flat_map(|r| [r.code, r.name]);
                match crate::suggest::closest(&code_or_name, names) {
                    Some(s) => format!("no rule `{code_or_name}`; did you mean `{s}`?"),
                    None => format!("no rule `{code_or_name}`; `istiolint rules` lists them"),
                }
            })?;
            writeln!(
                out,
                "# {} {}\n\n{} (default severity: {})\n\n{}",
                r.code,
                r.name,
                r.summary,
                r.severity_label(),
                r.doc
            )
            .map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(mut args: CheckArgs, out: &mut dyn Write) -> Result<ExitCode, String> {
    for sel in args
        .select
        .iter()
        .chain(&args.ignore)
        .chain(&args.extend_select)
    {
        crate::config::check_selector(sel)?;
    }
    let lowercase = !args.namespace.bytes().any(|b| b.is_ascii_uppercase());
    if !lowercase || !crate::rules::validators::is_dns1123_label(&args.namespace) {
        return Err(format!(
            "--namespace `{}` is not a valid namespace name (lowercase letters, digits, '-')",
            args.namespace
        ));
    }
    if !args.context.is_empty() {
        eprintln!("istiolint: warning: `check --context` is deprecated; use --context-files (diff's --context names a kubeconfig context)");
        args.context_files.append(&mut args.context);
    }
    let outputs = crate::cli_output::Outputs::parse(&args.output_file)?;
    let config = args.config.load()?;
    let fail_on = match (args.fail_on, config.fail_on.as_deref()) {
        (Some(f), _) => f,
        (None, Some(s)) => FailOn::from_str(s, true).map_err(|e| e.to_string())?,
        (None, None) => FailOn::Error,
    };
    let istio_version = match (args.istio_version, config.istio_version) {
        (Some(v), _) => Some(crate::cli_output::check_istio_version(
            v,
            "--istio-version",
        )?),
        (None, Some(v)) => Some(crate::cli_output::check_istio_version(
            v,
            "istio-version (config)",
        )?),
        (None, None) => None,
    };
    let flags = OptionFlags {
        istio_version,
        select: args.select,
        ignore: args.ignore,
        context: args.context_files.clone(),
    };
    let mut opts = options(&config, flags);
    opts.extend_select = args.extend_select.clone();
    opts.stdin_name = args.stdin_filename.as_deref().map(std::sync::Arc::from);
    opts.namespace = std::sync::Arc::from(args.namespace.as_str());
    opts.closed_world |= args.closed_world;
    // Never in pipes or CI logs.
    opts.progress = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| e.to_string())?;
    if args.fix || args.diff {
        let results =
            pool.install(|| compute_fixes(&paths, &opts, args.unsafe_fixes, args.diff))?;
        let changed = write_fixes(&results, args.diff, out)?;
        if args.diff {
            return Ok(ExitCode::from(u8::from(changed)));
        }
    }
    let report = pool
        .install(|| check::run(&paths, &opts))
        .map_err(|e| e.to_string())?;
    for dir in &report.empty_dirs {
        eprintln!(
            "istiolint: note: {}: no manifests (*.yaml, *.yml, *.json) found",
            crate::cli_output::printable(&dir.display().to_string())
        );
    }
    if args.verbose {
        crate::cli_output::list_files(&report);
    }
    let style = report::Style {
        color: crate::cli_output::color_enabled(args.color, std::io::stdout().is_terminal()),
        quiet: args.quiet,
        statistics: args.statistics,
    };
    outputs.write(&report, args.format, style, out)?;

    let failed = match (fail_on.threshold(), report.worst()) {
        (Some(t), Some(w)) => w >= t && !args.exit_zero,
        _ => false,
    };
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Command-line values that take precedence over the config file.
#[derive(Default)]
pub struct OptionFlags {
    pub istio_version: Option<IstioVersion>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub context: Vec<PathBuf>,
}

/// The check options of a config file and flags (shared with `server`).
pub fn options(config: &Config, flags: OptionFlags) -> Options {
    let root = config
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let root = root.canonicalize().unwrap_or(root);
    let pick = |flag: Vec<String>, file: &Option<Vec<String>>| {
        if flag.is_empty() {
            file.clone().unwrap_or_default()
        } else {
            flag
        }
    };
    let mut context = flags.context;
    if context.is_empty() {
        context = config.context.iter().map(|p| root.join(p)).collect();
    }
    Options {
        istio_version: flags
            .istio_version
            .or(config.istio_version)
            .unwrap_or_else(IstioVersion::newest_bundled),
        select: pick(flags.select, &config.select),
        ignore: pick(flags.ignore, &config.ignore),
        severity: config.severity.clone(),
        overrides: config
            .overrides
            .iter()
            .map(|o| PathOverride {
                files: crate::config::globset(&o.files),
                ignore: o.ignore.clone(),
                severity: o.severity.clone(),
            })
            .collect(),
        exclude: crate::config::globset(&config.exclude),
        context,
        root,
        closed_world: config.closed_world,
        ..Options::default()
    }
}

/// Output errors end the run; a closed pipe (`istiolint ... | head`) quietly.
pub fn io_error(e: std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    e.to_string()
}

type FixResult = (crate::source::Input, String, crate::fix::Fixed);

/// `--fix` / `--diff`: the fixed texts of the files that change.
fn compute_fixes(
    paths: &[PathBuf],
    opts: &Options,
    unsafe_fixes: bool,
    diff: bool,
) -> Result<Vec<FixResult>, String> {
    use crate::source::{self, Input};
    use rayon::prelude::*;
    let (inputs, _) = source::collect(paths).map_err(|e| e.to_string())?;
    if !diff && inputs.contains(&Input::Stdin) {
        return Err("--fix cannot write to standard input; use --diff".into());
    }
    let results: Vec<FixResult> = inputs
        .par_iter()
        .filter(|i| !matches!(i, Input::File(p) if opts.excluded(&p.to_string_lossy())))
        .filter_map(|i| {
            let src = source::read(i).ok()?;
            let fixed = crate::fix::fix_text(&src.name, &src.text, opts, unsafe_fixes);
            (fixed.text != *src.text || fixed.unsafe_skipped > 0)
                .then(|| (i.clone(), src.text.to_string(), fixed))
        })
        .collect();
    Ok(results)
}

/// Writes the fixes (atomically) or prints them as a diff. Returns whether
/// anything would change.
fn write_fixes(results: &[FixResult], diff: bool, out: &mut dyn Write) -> Result<bool, String> {
    use crate::source::Input;
    let (mut fixes, mut files, mut skipped) = (0, 0, 0);
    for (input, original, fixed) in results {
        skipped += fixed.unsafe_skipped;
        if fixed.text == *original {
            continue;
        }
        let name = input.name();
        if diff {
            let d = similar::TextDiff::from_lines(original.as_str(), fixed.text.as_str());
            let (a, b) = if name.starts_with('/') {
                (name.to_string(), name.to_string())
            } else {
                (format!("a/{name}"), format!("b/{name}"))
            };
            let mut text = d
                .unified_diff()
                .context_radius(3)
                .missing_newline_hint(true)
                .header(&a, &b)
                .to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let text = crate::report::escape::visible_text(&text);
            out.write_all(text.as_bytes()).map_err(io_error)?;
        } else if let Input::File(path) = input {
            // Never overwrite a file that changed on disk since it was read.
            // The text was read without its byte-order mark; compare and write with it.
            let now = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
            let (bom, body) = match now.strip_prefix(crate::source::UTF8_BOM) {
                Some(rest) => (crate::source::UTF8_BOM, rest),
                None => (&b""[..], &now[..]),
            };
            if body != original.as_bytes() {
                let name = crate::report::escape::visible(&name);
                eprintln!("istiolint: {name} changed while it was being fixed; left untouched");
                continue;
            }
            let bytes = [bom, fixed.text.as_bytes()].concat();
            crate::fsutil::write_atomic(path, &bytes).map_err(|e| format!("{name}: {e}"))?;
        }
        fixes += fixed.applied;
        files += 1;
    }
    let verb = if diff { "Would fix" } else { "Fixed" };
    eprintln!(
        "{verb} {fixes} problem{} in {files} file{}.",
        if fixes == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    );
    if skipped > 0 {
        eprintln!(
            "{skipped} more fix{} available with --unsafe-fixes.",
            if skipped == 1 { "" } else { "es" }
        );
    }
    Ok(files > 0)
}
