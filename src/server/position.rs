//! LSP positions: 0-based lines and UTF-16 columns, converted from and to
//! the byte offsets every span and fix of ours holds.

use lsp_types::{Position, Range};

/// Line starts of one text, for conversions both ways.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        // LSP line breaks are YAML's: CRLF, a lone CR, LF.
        let bytes = text.as_bytes();
        starts.extend(
            (0..bytes.len())
                .filter(|&i| crate::yaml::position::is_line_end(bytes, i))
                .map(|i| i + 1),
        );
        LineIndex { text, starts }
    }

    pub fn position(&self, byte: usize) -> Position {
        let byte = floor_boundary(self.text, byte.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= byte) - 1;
        let start = self.starts[line];
        let character = self.text[start..byte].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of a position; past the end of a line means its end
    /// (as the protocol says), past the last line means the end of the text.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let line_end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let mut units = 0u32;
        for (i, c) in self.text[start..line_end].char_indices() {
            if units >= position.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        line_end
    }

    /// The text of a 0-based line, without its line break.
    pub fn line(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line) else {
            return "";
        };
        let end = self.starts.get(line + 1).map_or(self.text.len(), |&n| n);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_both_ways() {
        // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
        let text = "a: é😀x\nb: 1\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x), Position::new(0, 6));
        assert_eq!(index.offset(Position::new(0, 6)), x);
        assert_eq!(index.position(text.find('b').unwrap()), Position::new(1, 0));
        // Past the end of a line: its end; past the last line: the text's end.
        assert_eq!(index.offset(Position::new(0, 99)), x + 1);
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        // Inside a character: the character's start.
        assert_eq!(index.position(x - 1), Position::new(0, 4));
        assert_eq!(index.line(1), "b: 1");
    }
}
