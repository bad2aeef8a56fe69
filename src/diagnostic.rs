//! The diagnostic model shared by every check and every reporter.

use std::sync::Arc;

use serde::Serialize;

use crate::rules::Rule;
use crate::yaml::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Which object a diagnostic is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

/// A secondary place, e.g. where a duplicated key was first defined.
#[derive(Clone, Debug)]
pub struct Related {
    pub file: Arc<str>,
    pub span: Span,
    pub label: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The path as the user wrote it (or `<stdin>`).
    pub file: Arc<str>,
    pub span: Option<Span>,
    /// JSON pointer inside the object, when the finding is about a field.
    pub pointer: Option<String>,
    pub object: Option<ObjectRef>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
}

/// Text edits on the original source that resolve a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// Replace bytes `start..end` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Safe fixes keep Istio's meaning; unsafe ones change behaviour (usually
/// to what the author meant) and need `--unsafe-fixes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// A fix described in pointers, as rules write it; placed by the pipeline.
#[derive(Clone, Debug)]
pub struct FixSpec {
    pub title: String,
    pub applicability: Applicability,
    pub changes: Vec<Change>,
}

#[derive(Clone, Debug)]
pub enum Change {
    /// Rename the mapping key at the pointer.
    Key { pointer: String, text: String },
    /// Replace the (scalar) value at the pointer with YAML text.
    Value { pointer: String, text: String },
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, file: Arc<str>, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: (!rule.help.is_empty()).then(|| rule.help.to_string()),
            file,
            span: None,
            pointer: None,
            object: None,
            related: Vec::new(),
            fix: None,
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// 1-based; a finding about a whole file (too large, unreadable) is at 1:1.
    pub fn line(&self) -> u32 {
        self.span.map_or(1, |s| s.line)
    }

    pub fn column(&self) -> u32 {
        self.span.map_or(1, |s| s.col)
    }

    /// The deterministic output order: file, line, column, code, message.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.file,
            self.line(),
            self.column(),
            self.rule.code,
            &self.message,
        )
    }
}

/// A check's result before it is placed in a file: rules speak in JSON
/// pointers and never compute lines or columns themselves.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    pub pointer: String,
    pub target: Target,
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<FixSpec>,
}

/// What part of the node at the pointer to underline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The value.
    Value,
    /// The mapping key that leads to the value (unknown fields, presence).
    Key,
    /// A field that is missing on purpose (the finding is that it is
    /// absent): the nearest ancestor that exists is underlined.
    Absent,
}

impl Finding {
    pub fn new(
        rule: &'static Rule,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            pointer: pointer.into(),
            target: Target::Value,
            message: message.into(),
            help: None,
            fix: None,
        }
    }

    pub fn fix(mut self, fix: FixSpec) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn on_key(mut self) -> Self {
        self.target = Target::Key;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The pointer names a field that is missing, and that is the finding.
    pub fn absent(mut self) -> Self {
        self.target = Target::Absent;
        self
    }
}

/// Counts for the summary line.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    /// checked + context + skipped, `--context` files' objects included.
    pub objects: usize,
    #[serde(flatten)]
    pub counts: ObjectCounts,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// How the objects read took part in a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ObjectCounts {
    /// Istio networking objects validated and run through the rules.
    pub checked: usize,
    /// Objects only read for the cross-object rules (Services, workloads,
    /// PeerAuthentications, ..., and everything in `--context` files).
    pub context: usize,
    /// Objects of kinds istiolint neither checks nor uses.
    pub skipped: usize,
}

impl ObjectCounts {
    pub fn add(&mut self, other: ObjectCounts) {
        self.checked += other.checked;
        self.context += other.context;
        self.skipped += other.skipped;
    }
}

impl Summary {
    pub fn count(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }
}
