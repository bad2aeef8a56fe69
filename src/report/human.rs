//! Human output: miette snippets with the offending key or value underlined.
//! Messages, names and the snippet's source go through `escape`, so a
//! manifest cannot steer the terminal.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::escape::{self, EscapedSource};
use crate::check::Report;
use crate::diagnostic::{Diagnostic, Severity};

pub struct Human {
    pub color: bool,
}

impl Human {
    pub fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_context_lines(1)
            .with_width(100);
        // Escaped copies of the sources that need one, made once per file.
        let mut escaped: Vec<(Arc<str>, Option<Arc<EscapedSource>>)> = Vec::new();
        for d in &report.diagnostics {
            let source = report.sources.get(&d.file).map(|text| {
                let name = escape::visible(&d.file).into_owned();
                let esc = match escaped.iter().find(|(f, _)| *f == d.file) {
                    Some((_, e)) => e.clone(),
                    None => {
                        let e = EscapedSource::new(text).map(Arc::new);
                        escaped.push((Arc::clone(&d.file), e.clone()));
                        e
                    }
                };
                let text: Arc<str> = match &esc {
                    Some(e) => Arc::clone(&e.text),
                    None => Arc::clone(text),
                };
                (NamedSource::new(name, text), esc)
            });
            let (source, escaped_source) = match source {
                Some((s, e)) => (Some(s), e),
                None => (None, None),
            };
            let view = View {
                d,
                source,
                escaped: escaped_source,
                message: escape::visible(&d.message).into_owned(),
                help: d.help.as_deref().map(|h| escape::visible(h).into_owned()),
            };
            let mut s = String::new();
            handler
                .render_report(&mut s, &view)
                .map_err(|e| io::Error::other(e.to_string()))?;
            out.write_all(s.as_bytes())?;
            // A blank line between diagnostics.
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Adapts a diagnostic to miette without copying the source.
struct View<'a> {
    d: &'a Diagnostic,
    source: Option<NamedSource<Arc<str>>>,
    /// Set when the source had characters to escape: spans are remapped.
    escaped: Option<Arc<EscapedSource>>,
    message: String,
    help: Option<String>,
}

impl View<'_> {
    fn span(&self, start: usize, end: usize) -> SourceSpan {
        match &self.escaped {
            Some(e) => SourceSpan::from(e.offset(start)..e.offset(end)),
            None => SourceSpan::from(start..end),
        }
    }
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Without a snippet, the location goes in the message.
        if self.source.is_none() {
            match self.d.span {
                Some(s) => write!(
                    f,
                    "{}:{}:{}: ",
                    escape::visible(&self.d.file),
                    s.line,
                    s.col
                )?,
                None => write!(f, "{}: ", escape::visible(&self.d.file))?,
            }
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}({})",
            self.d.rule.code, self.d.rule.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = self.d.span?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            self.span(span.start, span.end.max(span.start)),
        )];
        for r in self.d.related.iter().filter(|r| r.file == self.d.file) {
            labels.push(LabeledSpan::new_with_span(
                Some(escape::visible(&r.label).into_owned()),
                self.span(r.span.start, r.span.end),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}
