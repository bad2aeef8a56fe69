//! Positions in a source text. The event parser counts characters; we keep
//! byte offsets (for slicing and fixes) and 1-based line/column (for users).

/// A range of the source: byte offsets plus the 1-based line and character
/// column of both ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Span {
    pub fn is_multiline(&self) -> bool {
        self.end_line > self.line
    }
}

/// Converts the parser's character indices into byte offsets. ASCII sources
/// (the common case) convert for free; others use a checkpoint every 64 chars.
pub struct CharMap {
    ascii: bool,
    checkpoints: Vec<usize>,
    /// The position of the text's end, computed once (many nodes can end there).
    end: std::cell::OnceCell<(u32, u32)>,
}

const STRIDE: usize = 64;

impl CharMap {
    pub fn new(src: &str) -> Self {
        if src.is_ascii() {
            return CharMap {
                ascii: true,
                checkpoints: Vec::new(),
                end: std::cell::OnceCell::new(),
            };
        }
        let checkpoints = src
            .char_indices()
            .step_by(STRIDE)
            .map(|(byte, _)| byte)
            .collect();
        CharMap {
            ascii: false,
            checkpoints,
            end: std::cell::OnceCell::new(),
        }
    }

    pub fn byte_offset(&self, src: &str, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(src.len());
        }
        let Some(&base) = self.checkpoints.get(char_index / STRIDE) else {
            return src.len();
        };
        let rest = char_index % STRIDE;
        src[base..]
            .char_indices()
            .nth(rest)
            .map_or(src.len(), |(b, _)| base + b)
    }

    pub fn span(&self, src: &str, s: saphyr_parser::Span) -> Span {
        let (start, end) = (
            self.byte_offset(src, s.start.index()),
            self.byte_offset(src, s.end.index()),
        );
        let mut span = Span {
            start,
            end,
            line: s.start.line() as u32,
            col: s.start.col() as u32 + 1,
            end_line: s.end.line() as u32,
            end_col: s.end.col() as u32 + 1,
        };
        // At the end of the text the parser may place a marker on a line
        // after the last one (an empty `? ` key at the end): the position
        // of the text's end is the last one there is.
        if end == src.len() {
            (span.end_line, span.end_col) = *self.end.get_or_init(|| line_col(src, end));
            if start == end {
                (span.line, span.col) = (span.end_line, span.end_col);
            }
        }
        span
    }
}

/// Whether the byte at `i` ends a line as YAML 1.2 reads line breaks
/// (b-break: CRLF, a lone CR, LF; the CR of a CRLF does not end one).
pub fn is_line_end(src: &[u8], i: usize) -> bool {
    match src.get(i) {
        Some(b'\n') => true,
        Some(b'\r') => src.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// The text's lines, each with its line break, split as YAML splits them
/// (`str::split_inclusive('\n')` with a lone CR ending a line too).
pub fn lines_inclusive(src: &str) -> impl Iterator<Item = &str> {
    let bytes = src.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let end = is_line_end(bytes, i);
            i += 1;
            if end {
                let line = &src[start..i];
                start = i;
                return Some(line);
            }
        }
        (start < bytes.len()).then(|| {
            let line = &src[start..];
            start = bytes.len();
            line
        })
    })
}

/// The byte offset where the line holding `byte` starts (YAML line breaks).
pub fn line_start(src: &str, byte: usize) -> usize {
    let bytes = src.as_bytes();
    (0..byte.min(src.len()))
        .rev()
        .find(|&i| is_line_end(bytes, i))
        .map_or(0, |i| i + 1)
}

/// Line and column (1-based, columns in characters) of a byte offset, with
/// lines counted as the YAML parser counts them (CRLF, lone CR, LF).
pub fn line_col(src: &str, byte: usize) -> (u32, u32) {
    let byte = floor_char_boundary(src, byte.min(src.len()));
    let bytes = src.as_bytes();
    let before = &bytes[..byte];
    let line = if before.contains(&b'\r') {
        (0..byte).filter(|&i| is_line_end(bytes, i)).count()
    } else {
        before.iter().filter(|&&b| b == b'\n').count()
    } as u32
        + 1;
    let start = line_start(src, byte);
    let col = src[start..byte].chars().count() as u32 + 1;
    (line, col)
}

/// A span for a byte range, computing lines and columns from the text.
pub fn span_of(src: &str, start: usize, end: usize) -> Span {
    let (line, col) = line_col(src, start);
    let (end_line, end_col) = line_col(src, end);
    Span {
        start: floor_char_boundary(src, start.min(src.len())),
        end: floor_char_boundary(src, end.min(src.len())),
        line,
        col,
        end_line,
        end_col,
    }
}

fn floor_char_boundary(src: &str, mut i: usize) -> usize {
    while i > 0 && !src.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_offsets() {
        let src = "é".repeat(200) + "x";
        let map = CharMap::new(&src);
        assert_eq!(map.byte_offset(&src, 0), 0);
        assert_eq!(map.byte_offset(&src, 65), 130);
        assert_eq!(map.byte_offset(&src, 200), 400);
        assert_eq!(map.byte_offset(&src, 201), 401);
    }

    #[test]
    fn line_and_column() {
        let src = "a: 1\nbé: 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 5), (2, 1));
        // byte 9 is after "bé:" (4 bytes) -> column 4
        assert_eq!(line_col(src, 9), (2, 4));
    }

    #[test]
    fn lone_cr_ends_a_line_as_in_yaml() {
        // YAML 1.2 b-break: CRLF is one break, a lone CR and LF are one each.
        let src = "a: 1\rb: 2\r\nc: 3\nd";
        assert_eq!(line_col(src, 5), (2, 1));
        assert_eq!(line_col(src, 8), (2, 4));
        // between the CR and the LF of a CRLF: still line 2
        assert_eq!(line_col(src, 10), (2, 6));
        assert_eq!(line_col(src, 11), (3, 1));
        assert_eq!(line_col(src, src.len()), (4, 2));
        let lines: Vec<&str> = lines_inclusive(src).collect();
        assert_eq!(lines, ["a: 1\r", "b: 2\r\n", "c: 3\n", "d"]);
        assert_eq!(lines_inclusive("x\n").collect::<Vec<_>>(), ["x\n"]);
        assert_eq!(lines_inclusive("").count(), 0);
        assert_eq!(line_start(src, 8), 5);
        assert_eq!(line_start(src, 10), 5);
        assert_eq!(line_start(src, 12), 11);
    }

    #[test]
    fn parser_positions_agree_with_line_col_after_a_lone_cr() {
        let src = "a: 1\rb: [x,\r  yy]\r\nc: 3\r";
        let parsed = crate::yaml::parse_stream(src, crate::yaml::Limits::default());
        let root = parsed.documents[0].root.as_ref().unwrap();
        let mut spans = Vec::new();
        fn walk(n: &crate::yaml::Node, out: &mut Vec<Span>) {
            out.push(n.span);
            for e in n.as_map().unwrap_or_default() {
                out.push(e.key.span);
                walk(&e.value, out);
            }
            for item in n.as_seq().unwrap_or_default() {
                walk(item, out);
            }
        }
        walk(root, &mut spans);
        assert!(spans.len() >= 8, "{spans:?}");
        for s in spans {
            assert_eq!(line_col(src, s.start), (s.line, s.col), "{s:?}");
            assert_eq!(line_col(src, s.end), (s.end_line, s.end_col), "{s:?}");
        }
        let yy = src.find("yy").unwrap();
        assert_eq!(line_col(src, yy), (3, 3));
    }

    #[test]
    fn an_empty_key_at_the_end_is_on_the_last_line() {
        for src in ["? ", "?", "a: 1\n? ", "a: 1\n?\n", "a: 1\n? \n\n"] {
            let parsed = crate::yaml::parse_stream(src, crate::yaml::Limits::default());
            let last = line_col(src, src.len()).0;
            for d in &parsed.documents {
                let Some(root) = &d.root else { continue };
                for e in root.as_map().unwrap_or_default() {
                    for s in [e.key.span, e.value.span] {
                        assert!(s.line <= last && s.end_line <= last, "{src:?}: {s:?}");
                        assert_eq!(line_col(src, s.start), (s.line, s.col), "{src:?}: {s:?}");
                    }
                }
            }
        }
    }
}
