//! `.istiolint.yaml`: found in the current directory or the nearest parent
//! (or named with `--config`). Command-line flags override it.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::diagnostic::Severity;
use crate::rules;
use crate::schema::IstioVersion;
use crate::suggest;
use crate::yaml::{parse_stream, Limits, Node, Span, Value};

pub const FILE_NAMES: &[&str] = &[".istiolint.yaml", ".istiolint.yml"];

const KEYS: &[&str] = &[
    "istio-version",
    "fail-on",
    "select",
    "ignore",
    "severity",
    "context",
    "exclude",
    "overrides",
    "closed-world",
];
const OVERRIDE_KEYS: &[&str] = &["files", "ignore", "severity"];

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it came from.
    pub path: Option<PathBuf>,
    pub istio_version: Option<IstioVersion>,
    pub fail_on: Option<String>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub severity: Vec<(String, Severity)>,
    pub context: Vec<PathBuf>,
    pub exclude: Vec<String>,
    pub overrides: Vec<Override>,
    /// `closed-world: true`: the inputs are complete (see `check --closed-world`).
    pub closed_world: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Override {
    pub files: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Severity)>,
}

/// The nearest config file from `start` upwards.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    start
        .ancestors()
        .find_map(|dir| FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file()))
}

/// Reads and validates a config file; errors name file, line and column.
pub fn load(path: &Path) -> Result<Config, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("{}: {}", path.display(), crate::source::io_reason(&e)))?;
    if meta.is_dir() {
        return Err(format!(
            "{}: is a directory, expected a config file",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {}", path.display(), crate::source::io_reason(&e)))?;
    from_text(path, &text)
}

/// A config file's text, as read from `path` (named in errors).
pub fn from_text(path: &Path, text: &str) -> Result<Config, String> {
    let name = path.display().to_string();
    let at = |s: Span, msg: String| format!("{name}:{}:{}: {msg}", s.line, s.col);
    let err = |n: &Node, msg: String| at(n.span, msg);
    let parsed = parse_stream(text, Limits::default());
    if let Some(issue) = parsed
        .issues
        .iter()
        .find(|i| !matches!(i.kind, crate::yaml::YamlIssueKind::Yaml11Scalar { .. }))
    {
        return Err(format!(
            "{name}:{}:{}: invalid config: {:?}",
            issue.span.line, issue.span.col, issue.kind
        ));
    }
    let mut config = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let Some(root) = parsed.documents.into_iter().next().and_then(|d| d.root) else {
        return Ok(config);
    };
    let Some(entries) = root.as_map() else {
        return Err(err(
            &root,
            "the config must be a mapping of settings".into(),
        ));
    };
    for e in entries {
        let v = &e.value;
        match e.key.text.as_str() {
            "istio-version" => {
                let s = scalar_text(v).ok_or_else(|| {
                    err(v, "istio-version must be a version such as \"1.22\"".into())
                })?;
                config.istio_version = Some(s.parse().map_err(|m| err(v, m))?);
            }
            "fail-on" => {
                let s = v
                    .as_str()
                    .filter(|s| ["error", "warning", "info", "never"].contains(s));
                config.fail_on = Some(
                    s.ok_or_else(|| {
                        err(
                            v,
                            "fail-on must be one of error, warning, info, never".into(),
                        )
                    })?
                    .to_string(),
                );
            }
            "select" => config.select = Some(rule_list(v, &err)?),
            "ignore" => config.ignore = Some(rule_list(v, &err)?),
            "severity" => config.severity = severities(v, &err, &at)?,
            "context" => {
                config.context = strings(v, &err)?.into_iter().map(PathBuf::from).collect()
            }
            "exclude" => config.exclude = globs(v, &err)?,
            "closed-world" => {
                config.closed_world = match v.value {
                    crate::yaml::Value::Scalar(crate::yaml::Scalar::Bool(b)) => b,
                    _ => return Err(err(v, "closed-world must be true or false".into())),
                }
            }
            "overrides" => {
                let items = v.as_seq().ok_or_else(|| {
                    err(
                        v,
                        "overrides must be a list of {files, ignore, severity}".into(),
                    )
                })?;
                for item in items {
                    let map = item
                        .as_map()
                        .ok_or_else(|| err(item, "an override must be a mapping".into()))?;
                    let mut o = Override::default();
                    for e in map {
                        match e.key.text.as_str() {
                            "files" => o.files = globs(&e.value, &err)?,
                            "ignore" => o.ignore = rule_list(&e.value, &err)?,
                            "severity" => o.severity = severities(&e.value, &err, &at)?,
                            other => return Err(unknown_key(&name, e, other, OVERRIDE_KEYS)),
                        }
                    }
                    if o.files.is_empty() {
                        return Err(err(item, "an override needs `files: [glob, ...]`".into()));
                    }
                    config.overrides.push(o);
                }
            }
            other => return Err(unknown_key(&name, e, other, KEYS)),
        }
    }
    Ok(config)
}

fn unknown_key(name: &str, e: &crate::yaml::Entry, key: &str, known: &[&str]) -> String {
    let hint = match suggest::closest(key, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("known keys: {}", known.join(", ")),
    };
    format!(
        "{name}:{}:{}: unknown config key `{key}`; {hint}",
        e.key.span.line, e.key.span.col
    )
}

fn scalar_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::Scalar(crate::yaml::Scalar::Str(s)) => Some(s.clone()),
        Value::Scalar(crate::yaml::Scalar::Float(f)) => Some(f.to_string()),
        Value::Scalar(crate::yaml::Scalar::Int(i)) => Some(i.to_string()),
        _ => None,
    }
}

type ErrFn<'a> = dyn Fn(&Node, String) -> String + 'a;

fn strings(v: &Node, err: &ErrFn) -> Result<Vec<String>, String> {
    let items = v
        .as_seq()
        .ok_or_else(|| err(v, "expected a list of strings".into()))?;
    items
        .iter()
        .map(|i| {
            i.as_str()
                .map(str::to_string)
                .ok_or_else(|| err(i, "expected a string".into()))
        })
        .collect()
}

fn rule_list(v: &Node, err: &ErrFn) -> Result<Vec<String>, String> {
    let items = strings(v, err)?;
    for (item, node) in items.iter().zip(v.as_seq().unwrap_or_default()) {
        check_selector(item).map_err(|m| err(node, m))?;
    }
    Ok(items)
}

/// A selector is a code, a name or a code prefix of at least one rule.
pub fn check_selector(sel: &str) -> Result<(), String> {
    let known = rules::all().iter().any(|r| {
        r.name == sel
            || r.code
                .to_ascii_uppercase()
                .starts_with(&sel.to_ascii_uppercase())
    });
    if known || sel == "*" || sel.eq_ignore_ascii_case("ALL") {
        return Ok(());
    }
    let names = rules::all().iter().flat_map(|r| [r.code, r.name]);
    Err(match suggest::closest(sel, names) {
        Some(s) => format!("unknown rule `{sel}`; did you mean `{s}`?"),
        None => format!("unknown rule `{sel}`; `istiolint rules` lists codes and names"),
    })
}

fn severities(
    v: &Node,
    err: &ErrFn,
    at: &dyn Fn(Span, String) -> String,
) -> Result<Vec<(String, Severity)>, String> {
    let map = v.as_map().ok_or_else(|| {
        err(
            v,
            "severity must map rules to error, warning or info".into(),
        )
    })?;
    map.iter()
        .map(|e| {
            check_selector(&e.key.text).map_err(|m| at(e.key.span, m))?;
            let s = match e.value.as_str() {
                Some("error") => Severity::Error,
                Some("warning") => Severity::Warning,
                Some("info") => Severity::Info,
                _ => return Err(err(&e.value, "expected error, warning or info".into())),
            };
            Ok((e.key.text.clone(), s))
        })
        .collect()
}

fn globs(v: &Node, err: &ErrFn) -> Result<Vec<String>, String> {
    let items = strings(v, err)?;
    for (g, node) in items.iter().zip(v.as_seq().unwrap_or_default()) {
        Glob::new(g).map_err(|e| err(node, format!("invalid glob `{g}`: {e}")))?;
    }
    Ok(items)
}

pub fn globset(patterns: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        if let Ok(g) = Glob::new(p) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

impl Config {
    /// The effective configuration as YAML, for `istiolint config`.
    pub fn render(&self) -> String {
        // Quoted as YAML strings, so the output reads back as the same config.
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter()
                    .map(|s| crate::emit::quote(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let sev_at = |v: &[(String, Severity)], indent: &str| {
            if v.is_empty() {
                " {}".to_string()
            } else {
                v.iter()
                    .map(|(k, s)| format!("\n{indent}{k}: {}", s.as_str()))
                    .collect()
            }
        };
        let sev = |v: &[(String, Severity)]| sev_at(v, "  ");
        let mut out = format!(
            "# from: {}\nistio-version: \"{}\"\nfail-on: {}\nselect: {}\nignore: {}\nseverity:{}\ncontext: {}\nexclude: {}\n",
            self.path.as_ref().map_or("(defaults)".into(), |p| {
                crate::report::escape::visible(&p.display().to_string()).into_owned()
            }),
            self.istio_version.unwrap_or_else(IstioVersion::newest_bundled),
            self.fail_on.as_deref().unwrap_or("error"),
            list(self.select.as_deref().unwrap_or_default()),
            list(self.ignore.as_deref().unwrap_or_default()),
            sev(&self.severity),
            list(&self.context.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()),
            list(&self.exclude),
        );
        if self.closed_world {
            out.push_str("closed-world: true\n");
        }
        if self.overrides.is_empty() {
            out.push_str("overrides: []\n");
        } else {
            out.push_str("overrides:\n");
            for o in &self.overrides {
                out.push_str(&format!(
                    "- files: {}\n  ignore: {}\n  severity:{}\n",
                    list(&o.files),
                    list(&o.ignore),
                    sev_at(&o.severity, "    ")
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `istiolint config` prints a config that reads back as itself,
    /// whatever its strings hold (quotes, backslashes, bidi controls).
    #[test]
    fn rendered_config_reads_back_the_same() {
        let text = "exclude: [\"a\\\"b/**\", \"\\\\x/**\", \"é\\u202e\"]\ncontext: [\"x y/\"]\n\
                    overrides:\n- files: [\"legacy/**\"]\n  ignore: [IL6001]\n  severity: {IL3002: info}\n";
        let path = Path::new("cfg.yaml");
        let config = from_text(path, text).unwrap();
        assert_eq!(config.exclude, ["a\"b/**", "\\x/**", "é\u{202e}"]);
        let rendered = config.render();
        assert!(
            rendered.contains("exclude: [\"a\\\"b/**\", \"\\\\x/**\", \"é\\u202e\"]\n"),
            "{rendered}"
        );
        assert!(
            rendered.contains("  severity:\n    IL3002: info\n"),
            "{rendered}"
        );
        assert_eq!(from_text(path, &rendered).unwrap().render(), rendered);
    }

    /// Found by fuzzing: an unknown rule under `severity` named neither the
    /// file nor the column.
    #[test]
    fn unknown_severity_rule_names_file_line_and_column() {
        let err = from_text(
            Path::new("c.yaml"),
            "fail-on: info\nseverity:\n  w=ights-not-100: error\n",
        )
        .unwrap_err();
        assert_eq!(
            err,
            "c.yaml:3:3: unknown rule `w=ights-not-100`; did you mean `weights-not-100`?"
        );
    }

    /// Found by fuzzing: an empty explicit key at the end of the text was
    /// reported on a line after the last one.
    #[test]
    fn empty_key_at_the_end_is_reported_inside_the_text() {
        let path = Path::new("c.yaml");
        let err = |text: &str| from_text(path, text).unwrap_err();
        // The position is what matters (the list of known keys follows).
        let e = err("fail-on: info\n? ");
        assert!(
            e.starts_with("c.yaml:2:3: unknown config key `null`; "),
            "{e}"
        );
        let e = err("fail-on: info\n?\n");
        assert!(
            e.starts_with("c.yaml:3:1: unknown config key `null`; "),
            "{e}"
        );
    }
}
