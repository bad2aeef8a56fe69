//! Sources: the files named on the command line (directories walked
//! recursively, honouring .gitignore/.ignore) and standard input.

// A diagnostic is the error of reading: the cold path, not worth boxing.
#![allow(clippy::result_large_err)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::rules::input::{INPUT_LIMIT, UNREADABLE_FILE};
use crate::yaml::position::span_of;

/// Dropped when reading, kept when `--fix` writes the file back.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Larger files are refused (IL1005).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// One text to check.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path as the user would write it, or `<stdin>`.
    pub name: Arc<str>,
    pub text: Arc<str>,
}

/// Where a source comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn name(&self) -> Arc<str> {
        match self {
            Input::Stdin => Arc::from("<stdin>"),
            Input::File(p) => Arc::from(display_path(p).as_str()),
        }
    }
}

/// A usage or I/O problem that stops the run (exit 2).
#[derive(Debug)]
pub struct FatalError(pub String);

impl std::fmt::Display for FatalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Expands the command-line paths into inputs, in a deterministic order.
/// Problems met while walking a directory become diagnostics.
pub fn collect(paths: &[PathBuf]) -> Result<(Vec<Input>, Vec<Diagnostic>), FatalError> {
    collect_noting_empty(paths).map(|(inputs, problems, _)| (inputs, problems))
}

/// Inputs, problems met while walking, and directories without a manifest.
pub type Collected = (Vec<Input>, Vec<Diagnostic>, Vec<PathBuf>);

/// As [`collect`], also returning the directories that hold no manifest.
pub fn collect_noting_empty(paths: &[PathBuf]) -> Result<Collected, FatalError> {
    let mut empty_dirs = Vec::new();
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    let mut stdin_seen = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if !stdin_seen {
                inputs.push(Input::Stdin);
                stdin_seen = true;
            }
            continue;
        }
        let meta = std::fs::metadata(path)
            .map_err(|e| FatalError(format!("{}: {}", path.display(), io_reason(&e))))?;
        if !meta.is_dir() {
            inputs.push(Input::File(path.clone()));
            continue;
        }
        let mut found = Vec::new();
        let walker = ignore::WalkBuilder::new(path)
            .require_git(false)
            .follow_links(true)
            // Siblings share their parent: comparing names orders them as
            // comparing whole paths would, without splitting paths.
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) && is_manifest(e.path()) => {
                    found.push(Input::File(e.into_path()));
                }
                Ok(_) => {}
                Err(err) => {
                    let name: Arc<str> = Arc::from(
                        err_path(&err)
                            .unwrap_or_else(|| display_path(path))
                            .as_str(),
                    );
                    problems.push(Diagnostic::new(
                        &UNREADABLE_FILE,
                        name,
                        format!("cannot read: {}", walk_reason(&err)),
                    ));
                }
            }
        }
        if found.is_empty() {
            empty_dirs.push(path.clone());
        }
        inputs.extend(found);
    }
    // Duplicates come from overlapping arguments; one walk names each file once.
    if paths.len() > 1 {
        let mut seen = std::collections::HashSet::new();
        inputs.retain(|i| seen.insert(i.clone()));
    }
    Ok((inputs, problems, empty_dirs))
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn err_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(display_path(child)),
        _ => None,
    }
}

fn walk_reason(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            walk_reason(err)
        }
        ignore::Error::Io(e) => io_reason(e),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop back to {}", ancestor.display())
        }
        other => other.to_string(),
    }
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Reads one input as UTF-8 text, or explains why it cannot be checked.
pub fn read(input: &Input) -> Result<Source, Diagnostic> {
    let name = input.name();
    let bytes = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|e| {
                    Diagnostic::new(
                        &UNREADABLE_FILE,
                        name.clone(),
                        format!("cannot read: {}", io_reason(&e)),
                    )
                })?;
            buf
        }
        Input::File(path) => read_file(path, &name)?,
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostic::new(
            &INPUT_LIMIT,
            name,
            format!("larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    decode(name, bytes)
}

/// Most manifests fit in one read of this size.
const READ_HINT: usize = 16 * 1024;

fn read_file(path: &Path, name: &Arc<str>) -> Result<Vec<u8>, Diagnostic> {
    let cannot = |e: std::io::Error| {
        Diagnostic::new(
            &UNREADABLE_FILE,
            name.clone(),
            format!("cannot read: {}", io_reason(&e)),
        )
    };
    // A file that fits in the first read needs no stat (one syscall fewer
    // per file, most of them); a directory fails that read. Larger ones are
    // measured before the rest is read, so a huge file is never loaded.
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut buf = Vec::with_capacity(READ_HINT);
    let first = (&file).take(READ_HINT as u64).read_to_end(&mut buf);
    if let Err(e) = first {
        return Err(match e.kind() {
            std::io::ErrorKind::IsADirectory => {
                Diagnostic::new(&UNREADABLE_FILE, name.clone(), "is a directory")
            }
            _ => cannot(e),
        });
    }
    if buf.len() < READ_HINT {
        return Ok(buf);
    }
    let len = file.metadata().map_err(cannot)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Diagnostic::new(
            &INPUT_LIMIT,
            name.clone(),
            format!("larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    buf.reserve((len as usize).saturating_sub(buf.len()));
    (&file)
        .take(MAX_FILE_BYTES + 1 - READ_HINT as u64)
        .read_to_end(&mut buf)
        .map_err(cannot)?;
    Ok(buf)
}

/// Bytes → text: binary files and invalid UTF-8 are reported with the
/// position of the first offending byte; a UTF-8 BOM is dropped.
pub fn decode(name: Arc<str>, bytes: Vec<u8>) -> Result<Source, Diagnostic> {
    let bytes = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    // `contains` is a memchr; the position is looked for only when there is one.
    let nul = if bytes.contains(&0) {
        bytes.iter().position(|&b| b == 0)
    } else {
        None
    };
    let (bytes, valid_up_to) = match String::from_utf8(bytes) {
        Ok(text) if nul.is_none() => {
            return Ok(Source {
                name,
                text: Arc::from(text),
            })
        }
        Ok(text) => (text.into_bytes(), None),
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            (e.into_bytes(), Some(valid_up_to))
        }
    };
    let (at, what) = match (nul, valid_up_to) {
        (Some(n), v) if v.is_none_or(|v| n < v) => (n, "binary file (NUL byte)"),
        (n, v) => (v.or(n).unwrap_or_default(), "not valid UTF-8"),
    };
    let prefix = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let span = span_of(prefix, prefix.len(), prefix.len());
    Err(
        Diagnostic::new(&UNREADABLE_FILE, name, format!("cannot check: {what}"))
            .at(span)
            .help("istiolint reads UTF-8 text; is this file meant to be a manifest?"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_path(p: &Path) -> Result<Source, Diagnostic> {
        read(&Input::File(p.to_path_buf()))
    }

    #[test]
    fn files_on_both_sides_of_the_first_read_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        for len in [
            0,
            1,
            READ_HINT - 1,
            READ_HINT,
            READ_HINT + 1,
            5 * READ_HINT + 7,
        ] {
            let text: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
            let path = dir.path().join(format!("f{len}.yaml"));
            std::fs::write(&path, &text).unwrap();
            let src = read_path(&path).unwrap_or_else(|d| panic!("{len}: {}", d.message));
            assert_eq!(&*src.text, text.as_str(), "{len} bytes");
        }
    }

    #[test]
    fn a_directory_read_as_a_file_is_named_so() {
        let dir = tempfile::tempdir().unwrap();
        let Err(d) = read_path(dir.path()) else {
            panic!("a directory is not a file")
        };
        assert_eq!(
            (d.rule.code, d.message.as_str()),
            ("IL1006", "is a directory")
        );
    }
}
