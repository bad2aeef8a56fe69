//! `istiolint man`: one roff page per (sub)command, with EXIT STATUS, as
//! `git` does it: istiolint(1), istiolint-check(1), istiolint-generate-split(1).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Command};

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print (e.g. `check`, `generate split`); none: istiolint(1).
    #[arg(value_name = "SUBCOMMAND")]
    pub command: Vec<String>,
    /// Write every page into this directory (istiolint.1, istiolint-check.1, ...) instead.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: ManArgs, mut root: Command, out: &mut dyn Write) -> Result<ExitCode, String> {
    // Building gives subcommands their display names (`istiolint-check`).
    root = root.disable_help_subcommand(true);
    root.build();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).map_err(|e| format!("--dir {}: {e}", dir.display()))?;
        let mut written = Vec::new();
        for cmd in pages(&root) {
            let name = format!("{}.1", display_name(cmd));
            let path = dir.join(&name);
            crate::fsutil::write_atomic(&path, &page(cmd)?)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(name);
        }
        eprintln!(
            "Wrote {} pages to {}: {}",
            written.len(),
            dir.display(),
            written.join(", ")
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut cmd = &root;
    for (i, word) in args.command.iter().enumerate() {
        cmd = cmd.find_subcommand(word).ok_or_else(|| {
            let path = args.command[..i].join(" ");
            let names: Vec<&str> = cmd.get_subcommands().map(Command::get_name).collect();
            format!(
                "no subcommand `{}` in `istiolint{}{path}`; one of: {}",
                word,
                if path.is_empty() { "" } else { " " },
                names.join(", ")
            )
        })?;
    }
    out.write_all(&page(cmd)?).map_err(crate::cli::io_error)?;
    Ok(ExitCode::SUCCESS)
}

/// The root and every visible subcommand, depth first.
fn pages(cmd: &Command) -> Vec<&Command> {
    let mut all = vec![cmd];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        all.extend(pages(sub));
    }
    all
}

fn display_name(cmd: &Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

fn page(cmd: &Command) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let io = |e: std::io::Error| e.to_string();
    clap_mangen::Man::new(cmd.clone())
        .source(format!("istiolint {}", env!("CARGO_PKG_VERSION")))
        .manual("istiolint manual")
        .render(&mut buf)
        .map_err(io)?;
    buf.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in exit_status(display_name(cmd)) {
        buf.extend_from_slice(format!(".TP\n{code}\n{meaning}\n").as_bytes());
    }
    Ok(buf)
}

/// What each command's exit codes mean (as cli.rs maps outcomes).
fn exit_status(page: &str) -> Vec<(u8, &'static str)> {
    let error = (2, "Usage or I/O error: a bad flag or value, a named path that does not exist, a file that cannot be written.");
    match page {
        "istiolint-check" => vec![
            (0, "No finding at or above \\-\\-fail\\-on (default: error) remains, or \\-\\-exit\\-zero was given; with \\-\\-diff: nothing to fix."),
            (1, "Findings at or above \\-\\-fail\\-on remain; with \\-\\-diff: \\-\\-fix would change a file."),
            error,
        ],
        "istiolint-diff" => vec![
            (0, "No differences."),
            (1, "Differences (as kubectl diff)."),
            (2, "Error: unreadable input (with file:line:col), bad flags, kubectl failing."),
        ],
        "istiolint" => vec![
            (0, "Success; for check: no finding at or above \\-\\-fail\\-on; for diff: no differences."),
            (1, "check: findings at or above \\-\\-fail\\-on; diff: differences."),
            error,
        ],
        _ => vec![(0, "Success."), error],
    }
}
