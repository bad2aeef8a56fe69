//! Builds documents from parser events with an explicit stack (no recursion),
//! enforcing the limits that keep hostile input harmless.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::flow_indent::{FlowPads, Pad};
use super::position::{span_of, CharMap};
use super::resolve::{resolve_typed, yaml11_and_12_disagree, Scalar};
use super::{Entry, Key, Node, Span, Value};

/// Caps that turn hostile input into a clear error.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of collections.
    pub max_depth: usize,
    /// Nodes that alias expansion may add to one document.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 128,
            max_alias_nodes: 100_000,
        }
    }
}

/// One YAML document of a stream.
#[derive(Debug)]
pub struct Document {
    /// 0-based position in the stream.
    pub index: usize,
    /// None for an empty document.
    pub root: Option<Node>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum YamlIssueKind {
    Syntax(String),
    DuplicateKey {
        key: String,
        first: Span,
    },
    ComplexKey,
    /// A plain scalar that Kubernetes (YAML 1.1) and YAML 1.2 read differently.
    Yaml11Scalar {
        text: String,
        k8s: Scalar,
        yaml12: Scalar,
    },
    DepthLimit(usize),
    AliasLimit(usize),
}

/// A problem found while building; `span` is where it is.
#[derive(Clone, Debug)]
pub struct YamlIssue {
    pub kind: YamlIssueKind,
    pub span: Span,
    /// The document it belongs to.
    pub document: usize,
}

pub struct ParseOutcome {
    pub documents: Vec<Document>,
    pub issues: Vec<YamlIssue>,
    /// True when a fatal error stopped the parse; documents before it are kept.
    pub aborted: bool,
}

/// Parses a whole stream. Never panics; errors become issues.
pub fn parse_stream(src: &str, limits: Limits) -> ParseOutcome {
    let mut pads = FlowPads::default();
    loop {
        match parse_padded(src, &pads, limits) {
            Ok(outcome) => return outcome,
            Err(pad) => pads.add(pad),
        }
    }
}

/// One parse of `src` with `pads` applied; a line to re-indent (see
/// flow_indent.rs) instead when the parser rejects one inside a flow collection.
fn parse_padded(src: &str, pads: &FlowPads, limits: Limits) -> Result<ParseOutcome, Pad> {
    let text = pads.apply(src);
    let chars = CharMap::new(&text);
    let mut b = Builder {
        src,
        limits,
        documents: Vec::new(),
        issues: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        doc_root: None,
    };
    let mut aborted = false;
    for item in Parser::new_from_str(&text) {
        let (event, span) = match item {
            Ok(e) => e,
            Err(err) => {
                let m = err.marker();
                let at = pads.original(chars.byte_offset(&text, m.index()));
                if let Some(pad) = pads.needed(src, at, err.info(), b.flow_start()) {
                    return Err(pad);
                }
                // The scanner caps flow nesting itself; that is our depth limit too.
                let (kind, at, end) = if err.info() == "recursion limit exceeded" {
                    (YamlIssueKind::DepthLimit(limits.max_depth), at, at)
                } else if let Some(tab) = indenting_tab(src, at) {
                    // The scanner stops after the tab: point at the tab itself.
                    let msg = "a tab in the indentation: YAML indents with spaces only";
                    (YamlIssueKind::Syntax(msg.into()), tab, tab + 1)
                } else {
                    (YamlIssueKind::Syntax(err.info().to_string()), at, at)
                };
                b.issue(kind, span_of(src, at, end));
                aborted = true;
                break;
            }
        };
        let span = pads.span(chars.span(&text, span));
        if let Err(kind) = b.event(event, span) {
            b.issue(kind, span);
            aborted = true;
            break;
        }
    }
    Ok(ParseOutcome {
        documents: b.documents,
        issues: b.issues,
        aborted,
    })
}

/// The byte offset of a tab in the indentation of the line holding `at`,
/// if the error is on such a line.
fn indenting_tab(src: &str, at: usize) -> Option<usize> {
    let at = at.min(src.len());
    let start = super::position::line_start(src, at);
    let indent = src[start..]
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count();
    src[start..start + indent].find('\t').map(|i| start + i)
}

enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        items: Vec<Node>,
        flow: bool,
    },
    Map {
        start: Span,
        anchor: usize,
        entries: Vec<Entry>,
        flow: bool,
        /// A key that go-yaml v2 reads with a trailing `:` (see `colon_tail`).
        colon_key: bool,
        pending: Option<Key>,
        /// The pending key is a collection (IL1007): its value is dropped,
        /// so the pair is reported once and not again as an unknown field.
        complex_key: bool,
        index: Option<HashMap<String, usize>>,
        merges: Vec<Node>,
    },
}

struct Builder<'a> {
    src: &'a str,
    limits: Limits,
    documents: Vec<Document>,
    issues: Vec<YamlIssue>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    doc_root: Option<Node>,
}

/// Above this many keys a map gets a hash index for duplicate detection.
const INDEX_AFTER: usize = 8;

impl Builder<'_> {
    fn issue(&mut self, kind: YamlIssueKind, span: Span) {
        let document = self.documents.len();
        self.issues.push(YamlIssue {
            kind,
            span,
            document,
        });
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlIssueKind> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.alias_nodes = 0;
                self.doc_root = None;
            }
            Event::DocumentEnd => {
                let index = self.documents.len();
                self.documents.push(Document {
                    index,
                    root: self.doc_root.take(),
                });
            }
            Event::Scalar(text, style, anchor, tag) => {
                let colon_tail = style == ScalarStyle::Plain && self.in_flow() && {
                    self.flow_plain_issues(&text, span);
                    colon_tail(self.src, span)
                };
                let merge_key = text == "<<";
                let scalar = self.scalar(text, style, tag.as_deref(), span);
                let node = Node {
                    span,
                    value: Value::Scalar(scalar),
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.push(node, merge_key)?;
                if colon_tail {
                    self.mark_colon_key(span);
                }
            }
            Event::SequenceStart(anchor, _) => {
                self.enter()?;
                let flow = self.opens_flow(span);
                self.stack.push(Frame::Seq {
                    start: span,
                    anchor,
                    items: Vec::new(),
                    flow,
                });
            }
            Event::MappingStart(anchor, _) => {
                self.enter()?;
                let flow = self.opens_flow(span);
                self.stack.push(Frame::Map {
                    start: span,
                    anchor,
                    flow,
                    colon_key: false,
                    entries: Vec::new(),
                    pending: None,
                    complex_key: false,
                    index: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().expect("parser balances collections");
                let (node, anchor) = self.close(frame, span);
                if anchor > 0 {
                    let size = count_nodes(&node);
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                self.push(node, false)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(YamlIssueKind::Syntax("unknown anchor".into()));
                };
                self.alias_nodes += size;
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(YamlIssueKind::AliasLimit(self.limits.max_alias_nodes));
                }
                let mut node = node.clone();
                node.span = span;
                self.push(node, false)?;
            }
        }
        Ok(())
    }

    fn enter(&self) -> Result<(), YamlIssueKind> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlIssueKind::DepthLimit(self.limits.max_depth));
        }
        Ok(())
    }

    /// Takes the parser's string: a string scalar keeps it without a copy.
    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Scalar {
        if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
            return match tag.suffix.as_str() {
                "str" => Scalar::Str(text.into_owned()),
                "null" => Scalar::Null,
                _ => resolve_typed(&text).unwrap_or_else(|| Scalar::Str(text.into_owned())),
            };
        }
        if style != ScalarStyle::Plain {
            return Scalar::Str(text.into_owned());
        }
        // Words and names (the vast majority) read the same everywhere,
        // except the YAML 1.1 booleans, which resolve to Bool here.
        let typed = resolve_typed(&text);
        let numeric_start =
            text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
        if typed.is_none() && !numeric_start {
            return Scalar::Str(text.into_owned());
        }
        let k8s = typed.unwrap_or_else(|| Scalar::Str(text.to_string()));
        if let Some(yaml12) = yaml11_and_12_disagree(&k8s, &text) {
            self.issue(
                YamlIssueKind::Yaml11Scalar {
                    text: text.into_owned(),
                    k8s: k8s.clone(),
                    yaml12,
                },
                span,
            );
        }
        k8s
    }

    fn close(&mut self, frame: Frame, end: Span) -> (Node, usize) {
        match frame {
            Frame::Seq {
                start,
                anchor,
                items,
                ..
            } => (
                Node {
                    span: self.join(start, end, items.last().map(|n| n.span)),
                    value: Value::Seq(items),
                },
                anchor,
            ),
            Frame::Map {
                start,
                anchor,
                mut entries,
                merges,
                flow,
                colon_key,
                ..
            } => {
                if let Some(node) = self.colon_scalar(start, flow && colon_key, &entries) {
                    return (node, anchor);
                }
                let last = entries.last().map(|e| e.value.span);
                apply_merges(&mut entries, merges);
                (
                    Node {
                        span: self.join(start, end, last),
                        value: Value::Map(entries),
                    },
                    anchor,
                )
            }
        }
    }

    /// A collection spans from its start to its end marker; block collections
    /// end where their last child ends (the end event sits on a later line).
    fn join(&self, start: Span, end: Span, last_child: Option<Span>) -> Span {
        let tail = match last_child {
            Some(child) if end.start <= child.end || end.start == end.end => child,
            _ => end,
        };
        if tail.end < start.start {
            return start;
        }
        Span {
            end: tail.end,
            end_line: tail.end_line,
            end_col: tail.end_col,
            ..start
        }
    }

    /// `merge_key`: the node is the scalar `<<` (in any style).
    fn push(&mut self, node: Node, merge_key: bool) -> Result<(), YamlIssueKind> {
        let Some(top) = self.stack.last_mut() else {
            self.doc_root = Some(node);
            return Ok(());
        };
        match top {
            Frame::Seq { items, .. } => items.push(node),
            Frame::Map {
                entries,
                pending,
                complex_key,
                index,
                merges,
                ..
            } => match pending.take() {
                None => {
                    let Value::Scalar(s) = node.value else {
                        *complex_key = true;
                        self.issue(YamlIssueKind::ComplexKey, node.span);
                        // Keep going with a placeholder so the rest is still checked.
                        *self.pending_slot() = Some(Key {
                            text: String::new(),
                            span: node.span,
                        });
                        return Ok(());
                    };
                    let text = if merge_key {
                        "<<".to_string()
                    } else {
                        s.into_key_text()
                    };
                    *pending = Some(Key {
                        text,
                        span: node.span,
                    });
                }
                Some(_) if *complex_key => *complex_key = false,
                Some(key) => {
                    if key.text == "<<" {
                        merges.push(node);
                        return Ok(());
                    }
                    let existing = match index {
                        Some(ix) => ix.get(&key.text).copied(),
                        None => entries.iter().position(|e| e.key.text == key.text),
                    };
                    if let Some(i) = existing {
                        let first = entries[i].key.span;
                        let text = key.text.clone();
                        self.issue(YamlIssueKind::DuplicateKey { key: text, first }, key.span);
                        return Ok(());
                    }
                    if let Some(ix) = index {
                        ix.insert(key.text.clone(), entries.len());
                    } else if entries.len() >= INDEX_AFTER {
                        let mut ix: HashMap<String, usize> = entries
                            .iter()
                            .enumerate()
                            .map(|(i, e)| (e.key.text.clone(), i))
                            .collect();
                        ix.insert(key.text.clone(), entries.len());
                        *index = Some(ix);
                    }
                    entries.push(Entry { key, value: node });
                }
            },
        }
        Ok(())
    }

    /// Where the outermost flow collection around the parser opened.
    fn flow_start(&self) -> Option<Span> {
        if !self.in_flow() {
            return None;
        }
        self.stack.iter().find_map(|f| match f {
            Frame::Seq {
                flow: true, start, ..
            }
            | Frame::Map {
                flow: true, start, ..
            } => Some(*start),
            _ => None,
        })
    }

    fn in_flow(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Seq { flow: true, .. } | Frame::Map { flow: true, .. })
        )
    }

    /// A collection is in flow style when it opens with `[`/`{`, or sits in
    /// one (the implicit single-pair mapping of `[a: b]`).
    fn opens_flow(&self, span: Span) -> bool {
        self.in_flow() || self.src[span.start..].starts_with(['[', '{'])
    }

    /// Plain values in flow collections that go-yaml v2 (kubectl) rejects but
    /// YAML 1.2 accepts: a leading `:` is a value indicator there (`[::1]`),
    /// and `?` ends the value (`[a?b]`).
    fn flow_plain_issues(&mut self, text: &str, span: Span) {
        let found = if text.starts_with(':') {
            "`:` at the start"
        } else if text.contains('?') {
            "`?`"
        } else {
            return;
        };
        self.issue(
            YamlIssueKind::Syntax(format!(
                "{found} of the plain value `{text}` inside `[...]`/`{{...}}`: Kubernetes (go-yaml v2) rejects this document; quote the value"
            )),
            span,
        );
    }

    /// The key just pushed is followed by `:` and a flow indicator: go-yaml
    /// v2 keeps that colon in the scalar (`{a:, b: c}` has the key `a:`).
    fn mark_colon_key(&mut self, span: Span) {
        if let Some(Frame::Map {
            pending: Some(key),
            colon_key,
            ..
        }) = self.stack.last_mut()
        {
            if key.span == span {
                key.text.push(':');
                *colon_key = true;
            }
        }
    }

    /// `[x:]` and `[2001:db8::]`: YAML 1.2 reads a single-pair mapping with
    /// an empty value, go-yaml v2 the plain scalar `x:` / `2001:db8::`.
    fn colon_scalar(&self, start: Span, colon_key: bool, entries: &[Entry]) -> Option<Node> {
        let [entry] = entries else { return None };
        let implicit = !self.src[start.start..].starts_with('{');
        let empty_value = matches!(entry.value.value, Value::Scalar(Scalar::Null))
            && entry.value.span.start == entry.value.span.end;
        if !(colon_key && implicit && empty_value) {
            return None;
        }
        let mut span = entry.key.span;
        span.end += 1;
        span.end_col += 1;
        Some(Node {
            span,
            value: Value::Scalar(Scalar::Str(entry.key.text.clone())),
        })
    }

    fn pending_slot(&mut self) -> &mut Option<Key> {
        match self.stack.last_mut() {
            Some(Frame::Map { pending, .. }) => pending,
            _ => unreachable!("only called for maps"),
        }
    }
}

/// A plain scalar in a flow collection directly followed by `:` and `,`, `]`
/// or `}`: YAML 1.2 ends the scalar before that colon, go-yaml v2 does not
/// (its plain scalars end only at `: `, `,`, `?`, `[`, `]`, `{`, `}`).
fn colon_tail(src: &str, span: Span) -> bool {
    let rest = &src.as_bytes()[span.end..];
    rest.first() == Some(&b':') && matches!(rest.get(1), Some(b',' | b']' | b'}'))
}

/// `<<: *base` merge keys: explicit keys win over merged ones, earlier merged
/// maps win over later ones (go-yaml v2 semantics).
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    for merge in merges {
        let sources: Vec<Node> = match merge.value {
            Value::Map(_) => vec![merge],
            Value::Seq(items) => items,
            Value::Scalar(_) => continue,
        };
        for source in sources {
            if let Value::Map(from) = source.value {
                for e in from {
                    if !entries.iter().any(|x| x.key.text == e.key.text) {
                        entries.push(e);
                    }
                }
            }
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut total = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        total += 1;
        match &n.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => todo.extend(entries.iter().map(|e| &e.value)),
            Value::Scalar(_) => {}
        }
    }
    total
}

#[cfg(test)]
mod tests;
