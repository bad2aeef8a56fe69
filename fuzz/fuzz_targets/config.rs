//! The config file on arbitrary input. Properties: no panic; an error names
//! the file (and a line and column inside the text when it has them); a
//! config that loads renders (`istiolint config`) to a text that loads
//! back to the same rendering.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(".istiolint.yaml");
    match istiolint::config::from_text(path, text) {
        Err(e) => {
            let rest = e
                .strip_prefix(".istiolint.yaml:")
                .unwrap_or_else(|| panic!("{e}"));
            let mut parts = rest.splitn(3, ':');
            if let (Some(l), Some(c)) = (parts.next(), parts.next()) {
                if let (Ok(line), Ok(col)) = (l.parse::<usize>(), c.parse::<usize>()) {
                    assert!(line >= 1 && line <= yaml_lines(text), "{e}");
                    assert!(col >= 1, "{e}");
                }
            }
        }
        Ok(config) => {
            let rendered = config.render();
            let again = istiolint::config::from_text(path, &rendered)
                .unwrap_or_else(|e| panic!("{e}\n{rendered}"));
            assert_eq!(again.render(), rendered);
        }
    }
});

/// Lines as YAML 1.2 counts them (CRLF, a lone CR and LF each end one),
/// counted here independently of istiolint's `line_col`, which agrees.
fn yaml_lines(text: &str) -> usize {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| matches!(c, '\n' | '\r'))
        .count()
        + 1
}
