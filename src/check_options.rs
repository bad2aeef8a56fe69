//! What `check` is asked to do: the selection of rules, config severities
//! and per-path overrides, and the names inputs go by.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Rule;
use crate::schema::IstioVersion;
use crate::source::{self, Input, Source};
use crate::yaml::Limits;

/// What to check and how.
#[derive(Clone, Debug)]
pub struct Options {
    pub istio_version: IstioVersion,
    /// Codes, names or code prefixes to keep (empty: all).
    pub select: Vec<String>,
    /// Codes, names or code prefixes to drop.
    pub ignore: Vec<String>,
    /// Added to the selection; prefixes here include opt-in rules (`--extend-select`).
    pub extend_select: Vec<String>,
    /// The name standard input goes by in findings and config globs (`--stdin-filename`).
    pub stdin_name: Option<Arc<str>>,
    pub limits: Limits,
    /// Severity per rule selector (config `severity`).
    pub severity: Vec<(String, Severity)>,
    /// Per-path settings (config `overrides`), globs relative to `root`.
    pub overrides: Vec<PathOverride>,
    /// Files never checked (config `exclude`), globs relative to `root`.
    pub exclude: GlobSet,
    /// Files read for cross-object checks but not reported on.
    pub context: Vec<PathBuf>,
    /// Where relative globs start: the config file's directory (absolute,
    /// canonical; the CLI resolves it once).
    pub root: PathBuf,
    /// Show a progress line on stderr (the CLI sets it for terminals only).
    pub progress: bool,
    /// The namespace of objects that name none (`-n`, default `default`).
    pub namespace: Arc<str>,
    /// Input name → the namespace its kustomization sets (filled by `run`).
    pub file_namespaces: Arc<std::collections::HashMap<Arc<str>, Arc<str>>>,
    /// The inputs are complete (`--closed-world`): absence is evidence.
    pub closed_world: bool,
}

#[derive(Clone, Debug)]
pub struct PathOverride {
    pub files: GlobSet,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Severity)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            istio_version: IstioVersion::newest_bundled(),
            select: Vec::new(),
            ignore: Vec::new(),
            extend_select: Vec::new(),
            stdin_name: None,
            limits: Limits::default(),
            severity: Vec::new(),
            overrides: Vec::new(),
            exclude: GlobSet::empty(),
            context: Vec::new(),
            root: PathBuf::from("."),
            progress: false,
            namespace: Arc::from("default"),
            file_namespaces: Arc::default(),
            closed_world: false,
        }
    }
}

fn selects(sel: &str, rule: &Rule) -> bool {
    sel == "*"
        || sel.eq_ignore_ascii_case("ALL")
        || sel.eq_ignore_ascii_case(rule.name)
        || rule
            .code
            .to_ascii_uppercase()
            .starts_with(&sel.to_ascii_uppercase())
}

impl Options {
    pub fn enabled(&self, rule: &Rule) -> bool {
        let matches = |sel: &String| selects(sel, rule);
        let selected = if rule.opt_in {
            // Opt-in rules need their code, name or ALL, not a prefix or `*`.
            self.select.iter().any(|s| {
                s.eq_ignore_ascii_case(rule.code) || s == rule.name || s.eq_ignore_ascii_case("ALL")
            })
        } else {
            self.select.is_empty() || self.select.iter().any(matches)
        };
        let extended = self.extend_select.iter().any(matches);
        (selected || extended) && !self.ignore.iter().any(matches)
    }

    /// The name an input goes by in findings.
    pub fn input_name(&self, input: &Input) -> Arc<str> {
        match (input, &self.stdin_name) {
            (Input::Stdin, Some(name)) => name.clone(),
            _ => input.name(),
        }
    }

    /// Reads an input under the name it goes by.
    // The diagnostic is the error of reading, as in source::read.
    #[allow(clippy::result_large_err)]
    pub(crate) fn read(&self, input: &Input) -> Result<Source, Diagnostic> {
        let renamed = |name: &mut Arc<str>| {
            if let (Input::Stdin, Some(n)) = (input, &self.stdin_name) {
                *name = n.clone();
            }
        };
        match source::read(input) {
            Ok(mut src) => {
                renamed(&mut src.name);
                Ok(src)
            }
            Err(mut d) => {
                renamed(&mut d.file);
                Err(d)
            }
        }
    }

    /// The file relative to `root`, for glob matching.
    fn relative<'a>(&self, file: &'a str) -> std::borrow::Cow<'a, str> {
        let path = Path::new(file);
        // Called per file and per diagnostic: the working directory is read once.
        static CWD: std::sync::LazyLock<PathBuf> =
            std::sync::LazyLock::new(|| std::env::current_dir().unwrap_or_default());
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            CWD.join(path)
        };
        match abs.strip_prefix(&self.root) {
            Ok(rel) => rel.to_string_lossy().into_owned().into(),
            Err(_) => file.into(),
        }
    }

    /// Config severities and per-path overrides; false when ignored here.
    pub(crate) fn adjust(&self, d: &mut Diagnostic) -> bool {
        for (sel, sev) in &self.severity {
            if selects(sel, d.rule) {
                d.severity = *sev;
            }
        }
        if self.overrides.is_empty() {
            return true;
        }
        let rel = self.relative(&d.file);
        for o in self
            .overrides
            .iter()
            .filter(|o| o.files.is_match(rel.as_ref()))
        {
            if o.ignore.iter().any(|sel| selects(sel, d.rule)) {
                return false;
            }
            for (sel, sev) in &o.severity {
                if selects(sel, d.rule) {
                    d.severity = *sev;
                }
            }
        }
        true
    }

    pub fn excluded(&self, file: &str) -> bool {
        !self.exclude.is_empty() && self.exclude.is_match(self.relative(file).as_ref())
    }
}
