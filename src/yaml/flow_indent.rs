//! Indentation inside flow collections, read as kubectl reads it.
//!
//! go-yaml v2 (kubectl) does not check indentation in flow context (its
//! `unroll_indent` returns early when `flow_level > 0`), so Istio's own
//! `spire-quickstart.yaml` has `args: [` ... `]` with the `]` left of `args`.
//! saphyr-parser follows YAML 1.2 and rejects such a line ("invalid
//! indentation"). When it does inside a flow collection, the parse is
//! retried with that line indented further: leading spaces of a line in flow
//! context carry no meaning, so the document is the one go-yaml v2 reads.
//! Every position is mapped back to the original text.

use std::borrow::Cow;

use super::position::{line_col, line_start, Span};

/// At most this many lines are re-indented (each costs a parse of the text).
const MAX_PADS: usize = 16;

/// Spaces inserted before some lines of the text.
#[derive(Default)]
pub struct FlowPads {
    /// (byte offset of the line's start in the original text, its 1-based
    /// line number, spaces inserted), sorted by offset.
    pads: Vec<(usize, u32, usize)>,
}

/// One line to re-indent.
pub struct Pad {
    at: usize,
    line: u32,
    width: usize,
}

impl FlowPads {
    pub fn add(&mut self, pad: Pad) {
        let i = self.pads.partition_point(|p| p.0 < pad.at);
        self.pads.insert(i, (pad.at, pad.line, pad.width));
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

    /// The line to re-indent when the parser rejected the indentation at
    /// `at` (original offset) inside a flow collection that opened at
    /// `flow_start`: indented one column past the collection's `[`/`{`,
    /// which is past every block indentation around it. None when the error
    /// is another one, the line was re-indented already, or the budget is
    /// spent; the error is then reported as it is.
    pub fn needed(
        &self,
        src: &str,
        at: usize,
        message: &str,
        flow_start: Option<Span>,
    ) -> Option<Pad> {
        let flow_start = flow_start?;
        if !matches!(
            message,
            "invalid indentation" | "invalid indentation in flow construct"
        ) || self.pads.len() >= MAX_PADS
        {
            return None;
        }
        let start = line_start(src, at);
        if self.pads.iter().any(|p| p.0 == start) {
            return None;
        }
        let indent = src[start..].bytes().take_while(|b| *b == b' ').count();
        // Only spaces before the token (a tab is its own error).
        if start + indent != at {
            return None;
        }
        let target = flow_start.col as usize;
        (target > indent).then(|| Pad {
            at: start,
            line: line_col(src, start).0,
            width: target - indent,
        })
    }
}
