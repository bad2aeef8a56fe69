//! Indentation that go-yaml v2 (kubectl) does not check, read as it reads it.
//!
//! go-yaml v2 does not check indentation in flow context (its
//! `unroll_indent` returns early when `flow_level > 0`), so Istio's own
//! `spire-quickstart.yaml` has `args: [` ... `]` with the `]` left of `args`;
//! nor on the continuation lines of a quoted scalar (`note: "a long` with
//! `text"` at column 1). saphyr-parser follows YAML 1.2 and rejects both
//! ("invalid indentation"). When it does, the parse is retried with those
//! lines indented further: leading spaces of such a line carry no meaning
//! (folding drops them), so the document is the one go-yaml v2 reads.
//! Every position is mapped back to the original text.

use std::borrow::Cow;

use super::position::{line_col, line_start, Span};

/// At most this many retries (each costs a parse of the text).
const MAX_RETRIES: usize = 16;

/// Spaces inserted before some lines of the text.
#[derive(Default)]
pub struct FlowPads {
    /// (byte offset of the line's start in the original text, its 1-based
    /// line number, spaces inserted), sorted by offset.
    pads: Vec<(usize, u32, usize)>,
    retries: usize,
}

/// Lines to re-indent: (line start, 1-based line, spaces to insert).
pub struct Pad(Vec<(usize, u32, usize)>);

impl FlowPads {
    pub fn add(&mut self, pad: Pad) {
        self.retries += 1;
        for (at, line, width) in pad.0 {
            let i = self.pads.partition_point(|p| p.0 < at);
            self.pads.insert(i, (at, line, width));
        }
    }

    /// The text to parse: the original with the padding inserted.
    pub fn apply<'a>(&self, src: &'a str) -> Cow<'a, str> {
        if self.pads.is_empty() {
            return Cow::Borrowed(src);
        }
        let extra: usize = self.pads.iter().map(|p| p.2).sum();
        let mut out = String::with_capacity(src.len() + extra);
        let mut from = 0;
        for &(at, _, width) in &self.pads {
            out.push_str(&src[from..at]);
            out.extend(std::iter::repeat_n(' ', width));
            from = at;
        }
        out.push_str(&src[from..]);
        Cow::Owned(out)
    }

    /// The original byte offset of an offset in the padded text (inside the
    /// padding: the line's start).
    pub fn original(&self, padded: usize) -> usize {
        let mut inserted = 0;
        for &(at, _, width) in &self.pads {
            let padded_at = at + inserted;
            if padded < padded_at {
                break;
            }
            if padded < padded_at + width {
                return at;
            }
            inserted += width;
        }
        padded - inserted
    }

    /// A span of the padded text in the original's offsets and columns.
    pub fn span(&self, padded: Span) -> Span {
        if self.pads.is_empty() {
            return padded;
        }
        let shift = |line: u32, col: u32| {
            let width = self
                .pads
                .iter()
                .find(|p| p.1 == line)
                .map_or(0, |p| p.2 as u32);
            col.saturating_sub(width).max(1)
        };
        Span {
            start: self.original(padded.start),
            end: self.original(padded.end),
            col: shift(padded.line, padded.col),
            end_col: shift(padded.end_line, padded.end_col),
            ..padded
        }
    }

    /// The lines to re-indent when the parser rejected the indentation at
    /// `at` (original offset). Inside a flow collection that opened at
    /// `flow_start`: the rejected line, indented one column past the
    /// collection's `[`/`{`, which is past every block indentation around
    /// it. In a quoted scalar starting at `at`: its continuation lines, one
    /// column past the quote. None when the error is another one, the
    /// lines were re-indented already, or the budget is spent; the error is
    /// then reported as it is.
    pub fn needed(
        &self,
        src: &str,
        at: usize,
        message: &str,
        flow_start: Option<Span>,
    ) -> Option<Pad> {
        if self.retries >= MAX_RETRIES {
            return None;
        }
        let pads = match message {
            "invalid indentation" | "invalid indentation in flow construct" => {
                let target = flow_start?.col as usize;
                let start = line_start(src, at);
                let indent = leading_spaces(src, start);
                // Only spaces before the token (a tab is its own error).
                if start + indent != at || target <= indent {
                    return None;
                }
                vec![(start, target - indent)]
            }
            "invalid indentation in quoted scalar" => quoted_continuations(src, at)?,
            _ => return None,
        };
        if pads.is_empty()
            || pads
                .iter()
                .any(|(at, _)| self.pads.iter().any(|p| p.0 == *at))
        {
            return None;
        }
        Some(Pad(pads
            .into_iter()
            .map(|(at, width)| (at, line_col(src, at).0, width))
            .collect()))
    }
}

fn leading_spaces(src: &str, start: usize) -> usize {
    src[start..].bytes().take_while(|b| *b == b' ').count()
}

/// The continuation lines of the quoted scalar opening at `at` that are not
/// right of its quote: (line start, spaces to insert). Blank lines
/// and document markers (`---`, `...`, an error in go-yaml v2 too) are not
/// touched. None when `at` is not a quote or the scalar does not close.
fn quoted_continuations(src: &str, at: usize) -> Option<Vec<(usize, usize)>> {
    let quote = *src.as_bytes().get(at)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let bytes = src.as_bytes();
    let mut end = at + 1;
    loop {
        match bytes.get(end)? {
            b'\\' if quote == b'"' => end += 2,
            b'\'' if quote == b'\'' && bytes.get(end + 1) == Some(&b'\'') => end += 2,
            c if *c == quote => break,
            _ => end += 1,
        }
    }
    // Past the quote is past every block indentation around it.
    let target = line_col(src, at).1 as usize;
    let mut out = Vec::new();
    let mut i = at;
    while i < end {
        if super::position::is_line_end(bytes, i) {
            let start = i + 1;
            let indent = leading_spaces(src, start);
            let rest = &src[start + indent..];
            let blank = rest.starts_with(['\n', '\r', '\t']) || rest.is_empty();
            let marker = indent == 0 && (rest.starts_with("---") || rest.starts_with("..."));
            if indent < target && !blank && !marker && start <= end {
                out.push((start, target - indent));
            }
        }
        i += 1;
    }
    Some(out)
}
