//! Where reports go and how they look: `--output-file`, colour precedence,
//! `--verbose`, `--version`, and the Istio release a run checks against.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::check::Report;
use crate::cli::Color;
use crate::report::{self, Format, Style};
use crate::schema::{self, IstioVersion};

/// `--output-file FILE` (the `--format` report goes to FILE instead of
/// stdout) and `--output-file FORMAT=FILE` (one more report, in FORMAT).
#[derive(Debug, Default)]
pub struct Outputs {
    primary: Option<PathBuf>,
    extra: Vec<(Format, PathBuf)>,
}

impl Outputs {
    pub fn parse(flags: &[String]) -> Result<Outputs, String> {
        let mut outputs = Outputs::default();
        for flag in flags {
            let format = flag
                .split_once('=')
                .and_then(|(f, path)| Some((Format::from_str(f, true).ok()?, path)));
            match format {
                Some((_, "")) => return Err(format!("--output-file `{flag}`: no file name")),
                Some((format, path)) => outputs.extra.push((format, PathBuf::from(path))),
                None if outputs.primary.is_some() => {
                    return Err(format!(
                        "--output-file `{flag}`: the report already goes to a file; name a format for more (e.g. sarif={flag})"
                    ))
                }
                None if flag.is_empty() => return Err("--output-file: no file name".into()),
                None => outputs.primary = Some(PathBuf::from(flag)),
            }
        }
        Ok(outputs)
    }

    /// Writes every report; files atomically and without colour.
    pub fn write(
        &self,
        report: &Report,
        format: Format,
        style: Style,
        out: &mut dyn Write,
    ) -> Result<(), String> {
        let to_file = |format: Format, path: &PathBuf| -> Result<(), String> {
            let mut buf = Vec::new();
            let plain = Style {
                color: false,
                ..style
            };
            report::write(report, format, plain, &mut buf).map_err(|e| e.to_string())?;
            crate::fsutil::write_atomic(path, &buf)
                .map_err(|e| format!("--output-file {}: {e}", path.display()))
        };
        match &self.primary {
            Some(path) => to_file(format, path)?,
            None => report::write(report, format, style, out).map_err(crate::cli::io_error)?,
        }
        for (format, path) in &self.extra {
            to_file(*format, path)?;
        }
        Ok(())
    }
}

/// The colour precedence of no-color.org and force-color.org: a flag wins,
/// then a non-empty NO_COLOR, then a non-empty FORCE_COLOR, then whether the
/// output is a terminal.
pub fn color_enabled(flag: Color, is_terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    match flag {
        Color::Always => true,
        Color::Never => false,
        Color::Auto if set("NO_COLOR") => false,
        Color::Auto if set("FORCE_COLOR") => true,
        Color::Auto => is_terminal,
    }
}

/// Text from manifests or file names for standard error: control
/// characters (a terminal's escape sequences) are shown escaped.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `--verbose`: every file read, in input order, on standard error.
pub fn list_files(report: &Report) {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    for (name, objects) in &report.context_files {
        eprintln!(
            "istiolint: {}: context file, {objects} object{}",
            printable(name),
            plural(*objects)
        );
    }
    for f in &report.files {
        let c = f.counts;
        let total = c.checked + c.context + c.skipped;
        eprintln!(
            "istiolint: {}: {total} object{} ({} checked, {} used as context, {} skipped)",
            printable(&f.name),
            plural(total),
            c.checked,
            c.context,
            c.skipped
        );
    }
}

/// [`long_version`], made once per process for clap (which wants `'static`).
pub fn long_version_static() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(long_version)
}

/// `--version`: the version, the commit it was built from, the bundled releases.
pub fn long_version() -> String {
    let releases: Vec<String> = schema::releases().iter().map(|r| r.to_string()).collect();
    format!(
        "{}\ncommit: {}\nbundled Istio releases: {} (default {})",
        env!("CARGO_PKG_VERSION"),
        env!("ISTIOLINT_COMMIT"),
        releases.join(", "),
        IstioVersion::newest_bundled()
    )
}

/// The oldest release whose differences the version-aware rules model
/// (relative weights arrived in 1.15): older ones are refused.
pub const OLDEST_SUPPORTED: IstioVersion = IstioVersion::new(1, 14, 0);

/// Validates a requested release: from 1.14 to the newest bundled minor.
/// Rules follow the requested version; the schemas are the newest bundled
/// release not newer (the oldest for 1.14-1.19), said in a note when that
/// is another minor. Returns the requested version.
pub fn check_istio_version(requested: IstioVersion, flag: &str) -> Result<IstioVersion, String> {
    let all = schema::releases();
    let newest = all[all.len() - 1];
    let minor = |v: IstioVersion| (v.major, v.minor);
    let shown = if requested.patch == 0 {
        format!("{}.{}", requested.major, requested.minor)
    } else {
        requested.to_string()
    };
    let list = all
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if minor(requested) < minor(OLDEST_SUPPORTED) || minor(requested) > minor(newest) {
        return Err(format!(
            "{flag} {shown} is outside the supported range {}.{} to {}.{} (bundled schemas: {list})",
            OLDEST_SUPPORTED.major, OLDEST_SUPPORTED.minor, newest.major, newest.minor
        ));
    }
    let used = schema::release_for(requested);
    if minor(used) != minor(requested) {
        eprintln!(
            "istiolint: note: no schemas of Istio {shown} are bundled; using those of {used} (bundled: {list}); version-aware rules follow {shown}"
        );
    }
    Ok(requested)
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(super::printable("a\u{1b}[31mb\tc"), "a\\u{1b}[31mb\\tc");
        assert_eq!(super::printable("plain ü"), "plain ü");
    }
}
