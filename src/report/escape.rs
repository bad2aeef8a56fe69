//! The one escaping policy for everything printed from input. Manifests come
//! from pull requests, and their values reach terminals and CI logs: no value
//! may move the cursor, recolour the screen, reorder text or start a GitHub
//! workflow command. Every reporter goes through these functions.

use std::borrow::Cow;
use std::sync::Arc;

/// Characters that never reach the output raw: control characters (C0, DEL,
/// C1), bidirectional controls (Trojan Source), the Unicode line and
/// paragraph separators, and the noncharacters U+FFFE/U+FFFF (XML forbids
/// them).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// How an unsafe character is shown: `\n`, `\r`, `\t`, else `\u{1b}`.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

fn escape_where(s: &str, keep: impl Fn(&str, usize, char) -> bool) -> Cow<'_, str> {
    let needs = |(i, c): (usize, char)| is_unsafe(c) && !keep(s, i, c);
    if !s.char_indices().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, c) in s.char_indices() {
        if needs((i, c)) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// For a one-line field (a message, a name, a path): every unsafe
/// character shown as an escape, so the field stays on its line.
pub fn visible(s: &str) -> Cow<'_, str> {
    escape_where(s, |_, _, _| false)
}

/// Whether `c` at byte `i` of `s` is layout that multi-line text keeps: a
/// newline, a tab, or the CR of a CRLF.
fn is_layout(s: &str, i: usize, c: char) -> bool {
    match c {
        '\n' | '\t' => true,
        '\r' => s.as_bytes().get(i + 1) == Some(&b'\n'),
        _ => false,
    }
}

/// For multi-line text (source snippets, diffs, error output): lines, tabs
/// and CRLF stay; everything else unsafe is shown as an escape.
pub fn visible_text(s: &str) -> Cow<'_, str> {
    escape_where(s, is_layout)
}

/// `visible_text` of a source file, with a map from the original byte
/// offsets to the escaped text's, so that spans still underline the same
/// characters.
pub struct EscapedSource {
    pub text: Arc<str>,
    /// (original offset of an escaped character, bytes added up to and
    /// including it), in increasing order.
    shifts: Vec<(usize, usize)>,
}

impl EscapedSource {
    /// `None` when the source has nothing to escape (the common case).
    pub fn new(source: &str) -> Option<EscapedSource> {
        if !source
            .char_indices()
            .any(|(i, c)| is_unsafe(c) && !is_layout(source, i, c))
        {
            return None;
        }
        let mut text = String::with_capacity(source.len() + 64);
        let mut shifts = Vec::new();
        for (i, c) in source.char_indices() {
            if is_unsafe(c) && !is_layout(source, i, c) {
                let before = text.len();
                push_visible(&mut text, c);
                let added = (text.len() - before) - c.len_utf8();
                let total = shifts.last().map_or(0, |&(_, t)| t) + added;
                shifts.push((i, total));
            } else {
                text.push(c);
            }
        }
        Some(EscapedSource {
            text: Arc::from(text),
            shifts,
        })
    }

    /// Where original byte `offset` is in the escaped text; an offset at an
    /// escaped character points at the start of its escape.
    pub fn offset(&self, offset: usize) -> usize {
        let before = self.shifts.partition_point(|&(at, _)| at < offset);
        offset + before.checked_sub(1).map_or(0, |k| self.shifts[k].1)
    }
}

/// XML 1.0 text or attribute value: `visible` first (XML forbids most
/// control characters, even as character references), then the markup.
pub fn xml(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A GitHub Actions log line or workflow-command message. The runner decodes
/// `%25`, `%0D` and `%0A` in messages; `::` and `##[` (which start commands)
/// are broken up with `%3A` and `%23`, which nothing decodes, so no value
/// can ever form a command. Unsafe characters are made visible first; real
/// newlines only come from istiolint itself (`message\nhelp: ...`).
pub fn workflow(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace("::", ":%3A")
        .replace("##[", "#%23[")
}

/// A workflow-command property (`file=`, `title=`): also `:` and `,`, which
/// the runner decodes in properties.
pub fn workflow_property(s: &str) -> String {
    workflow(s).replace(':', "%3A").replace(',', "%2C")
}

/// JSON text with every unsafe character written as a `\uXXXX` escape:
/// consumers decode the exact value, while the bytes that reach a terminal
/// never carry it raw. serde_json already escapes C0 controls; this adds
/// DEL, C1, bidirectional controls and the separators (all in the BMP, and
/// only ever inside strings).
pub fn json(text: String) -> String {
    if !text
        .chars()
        .any(|c| is_unsafe(c) && !c.is_ascii_whitespace())
    {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) && !c.is_ascii_whitespace() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_shows_every_unsafe_character() {
        assert_eq!(
            visible("a\nb\r\tc\u{1b}[31m\u{0}\u{7f}\u{85}\u{202e}\u{2066}\u{2028}\u{fffe}é"),
            "a\\nb\\r\\tc\\u{1b}[31m\\u{0}\\u{7f}\\u{85}\\u{202e}\\u{2066}\\u{2028}\\u{fffe}é"
        );
        assert!(matches!(visible("plain `text` 50%"), Cow::Borrowed(_)));
    }

    #[test]
    fn visible_text_keeps_layout() {
        assert_eq!(visible_text("a\r\n\tb\rc\u{1b}\n"), "a\r\n\tb\\rc\\u{1b}\n");
    }

    #[test]
    fn escaped_source_maps_offsets() {
        let src = "a: \u{1b}x\u{202e}y\nb: 1\n";
        let e = EscapedSource::new(src).unwrap();
        assert_eq!(&*e.text, "a: \\u{1b}x\\u{202e}y\nb: 1\n");
        let x = src.find('x').unwrap();
        let y = src.find('y').unwrap();
        let b = src.find('b').unwrap();
        assert_eq!(e.offset(0), 0);
        assert_eq!(e.offset(3), 3, "the escaped character starts its escape");
        assert_eq!(&e.text[e.offset(x)..e.offset(x) + 1], "x");
        assert_eq!(&e.text[e.offset(y)..e.offset(y) + 1], "y");
        assert_eq!(&e.text[e.offset(b)..e.offset(b) + 1], "b");
        assert_eq!(e.offset(src.len()), e.text.len());
        assert!(EscapedSource::new("a: 1\r\n\tb\n").is_none());
    }

    #[test]
    fn xml_never_writes_forbidden_characters() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{1}\u{fffe}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\u{1}\\u{fffe}"
        );
    }

    #[test]
    fn workflow_commands_cannot_be_formed() {
        assert_eq!(
            workflow("a\n::warning file=x::y 100% ##[error]"),
            "a%0A:%3Awarning file=x:%3Ay 100%25 #%23[error]"
        );
        assert_eq!(workflow_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(workflow(":::"), ":%3A:");
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw() {
        let text = serde_json::to_string(&"\u{1b}\u{7f}\u{9b}\u{202e}é").unwrap();
        assert_eq!(json(text), "\"\\u001b\\u007f\\u009b\\u202eé\"");
        assert_eq!(json("{\n  \"a\": 1\n}".into()), "{\n  \"a\": 1\n}");
    }
}
