//! Inline expectations in fixtures (see tests/expectations.rs): parsing,
//! matching, and the list of fixtures.

use std::fs;
use std::path::{Path, PathBuf};

/// One announced finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    pub line: u64,
    pub code: String,
    pub column: Option<u64>,
}

/// One reported finding.
#[derive(Clone, Debug)]
pub struct Found {
    pub line: u64,
    pub column: u64,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Fixture {
    pub args: Vec<String>,
    pub expected: Vec<Expected>,
}

/// Reads the expectation comments of a fixture; a malformed one is an error
/// naming its line, so a typo cannot silently expect nothing.
pub fn parse(text: &str) -> Result<Fixture, String> {
    let mut fixture = Fixture::default();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let Some(at) = line.find("# expect") else {
            continue;
        };
        let directive = &line[at + 2..];
        let (target, codes) = if let Some(args) = directive.strip_prefix("expect-args:") {
            fixture.args = args.split_whitespace().map(String::from).collect();
            continue;
        } else if let Some(codes) = directive.strip_prefix("expect:") {
            (line_no, codes)
        } else if let Some(codes) = directive.strip_prefix("expect-next-line:") {
            (line_no + 1, codes)
        } else if let Some(rest) = directive.strip_prefix("expect-line ") {
            let (n, codes) = rest
                .split_once(':')
                .ok_or(format!("line {line_no}: `expect-line N:` needs a colon"))?;
            let n = n
                .trim()
                .parse()
                .map_err(|_| format!("line {line_no}: `{n}` is not a line number"))?;
            (n, codes)
        } else {
            return Err(format!("line {line_no}: unknown directive `{directive}`"));
        };
        for token in codes.split(',').map(str::trim) {
            let (code, column) = match token.split_once('@') {
                Some((code, col)) => {
                    let col = col
                        .parse()
                        .map_err(|_| format!("line {line_no}: bad column in `{token}`"))?;
                    (code, Some(col))
                }
                None => (token, None),
            };
            let well_formed = code.len() == 6
                && code.starts_with("IL")
                && code[2..].bytes().all(|b| b.is_ascii_digit());
            if !well_formed {
                return Err(format!("line {line_no}: `{token}` is not a rule code"));
            }
            fixture.expected.push(Expected {
                line: target,
                code: code.to_string(),
                column,
            });
        }
    }
    Ok(fixture)
}

/// Pairs expectations with findings; returns (missing, extra). Expectations
/// with a column are matched first, so a bare code takes what is left.
pub fn compare(expected: &[Expected], found: &[Found]) -> (Vec<Expected>, Vec<Found>) {
    let mut left: Vec<Option<&Found>> = found.iter().map(Some).collect();
    let mut missing = Vec::new();
    let mut ordered: Vec<&Expected> = expected.iter().collect();
    ordered.sort_by_key(|e| e.column.is_none());
    for e in ordered {
        let hit = left.iter_mut().find(|f| {
            f.is_some_and(|f| {
                f.line == e.line && f.code == e.code && e.column.is_none_or(|c| c == f.column)
            })
        });
        match hit {
            Some(slot) => *slot = None,
            None => missing.push(e.clone()),
        }
    }
    missing.sort();
    let extra = left.into_iter().flatten().cloned().collect();
    (missing, extra)
}

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fixtures(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

pub fn all_fixtures() -> Vec<(String, Fixture)> {
    let mut paths = Vec::new();
    fixtures(Path::new("testdata/rules"), &mut paths);
    paths
        .into_iter()
        .map(|path| {
            let file = path.to_str().unwrap().to_string();
            // Lossy: a fixture for unreadable (non-UTF-8) files has comments too.
            let text = String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned();
            let fixture = parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            (file, fixture)
        })
        .collect()
}
