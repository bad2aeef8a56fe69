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
}

const STRIDE: usize = 64;

impl CharMap {
    pub fn new(src: &str) -> Self {
        if src.is_ascii() {
            return CharMap {
                ascii: true,
                checkpoints: Vec::new(),
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
        Span {
            start: self.byte_offset(src, s.start.index()),
            end: self.byte_offset(src, s.end.index()),
            line: s.start.line() as u32,
            col: s.start.col() as u32 + 1,
            end_line: s.end.line() as u32,
            end_col: s.end.col() as u32 + 1,
        }
    }
}

/// Line and column (1-based, columns in characters) of a byte offset.
pub fn line_col(src: &str, byte: usize) -> (u32, u32) {
    let byte = floor_char_boundary(src, byte.min(src.len()));
    let before = &src[..byte];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = src[line_start..byte].chars().count() as u32 + 1;
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
}
