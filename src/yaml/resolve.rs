//! Scalar resolution as Kubernetes does it (sigs.k8s.io/yaml on go-yaml v2,
//! i.e. YAML 1.1), plus what a YAML 1.2 core-schema reader would have read,
//! so that disagreements can be reported.

/// A resolved scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Scalar {
    /// A short description used in messages: `boolean true`, `integer 493`.
    pub fn describe(&self) -> String {
        match self {
            Scalar::Null => "null".to_string(),
            Scalar::Bool(b) => format!("boolean {b}"),
            Scalar::Int(i) => format!("integer {i}"),
            Scalar::Float(f) => format!("number {f}"),
            Scalar::Str(s) => format!("string \"{s}\""),
        }
    }

    /// A mapping key's text: Kubernetes turns non-string keys into strings
    /// (sigs.k8s.io/yaml).
    pub fn into_key_text(self) -> String {
        match self {
            Scalar::Str(s) => s,
            Scalar::Null => "null".into(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
        }
    }
}

/// Resolves a plain (unquoted, untagged) scalar the way kubectl does.
pub fn resolve_plain(text: &str) -> Scalar {
    resolve_typed(text).unwrap_or_else(|| Scalar::Str(text.to_string()))
}

/// `resolve_plain`, None where the scalar is a string: the tree builder then
/// keeps the parser's own `String` instead of copying it.
pub fn resolve_typed(text: &str) -> Option<Scalar> {
    Some(match text {
        "" | "~" | "null" | "Null" | "NULL" => Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            Scalar::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Scalar::Float(f64::NAN),
        _ => {
            let first = text.as_bytes()[0];
            if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
                return None;
            }
            if let Some(i) = parse_go_int(text) {
                return Some(Scalar::Int(i));
            }
            if !is_yaml_float(text) {
                return None;
            }
            Scalar::Float(text.parse::<f64>().ok()?)
        }
    })
}

/// What a YAML 1.2 core-schema reader (most non-Go tools) makes of the same
/// plain scalar.
pub fn resolve_plain_yaml12(text: &str) -> Scalar {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return Scalar::Int(i);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Scalar::Int(i);
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Scalar::Int(i);
        }
    }
    if is_yaml_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Scalar::Float(f);
        }
    }
    Scalar::Str(text.to_string())
}

/// True when Kubernetes and a YAML 1.2 reader disagree on a plain scalar.
pub fn yaml11_and_12_disagree(k8s: &Scalar, text: &str) -> Option<Scalar> {
    let other = resolve_plain_yaml12(text);
    let same = match (k8s, &other) {
        (Scalar::Float(a), Scalar::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
        (a, b) => a == b,
    };
    (!same).then_some(other)
}

/// Go's `strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)` as go-yaml
/// v2 calls it (plus its explicit `0b` handling).
fn parse_go_int(text: &str) -> Option<i64> {
    let cleaned: std::borrow::Cow<str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    let (neg, body) = match cleaned.as_bytes().first()? {
        b'-' => (true, &cleaned[1..]),
        b'+' => (false, &cleaned[1..]),
        _ => (false, &cleaned[..]),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u64 + 1 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Whether a string, written plain, would be read back as something other
/// than that string by Kubernetes or by a YAML 1.2 reader. The emitter quotes
/// such strings.
pub fn needs_quotes(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    resolve_plain(s) != Scalar::Str(s.to_string())
        || resolve_plain_yaml12(s) != Scalar::Str(s.to_string())
        // Timestamps: go-yaml v2 may retype them.
        || (s.len() >= 8 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit) && s.as_bytes()[4] == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use Scalar::*;

    #[test]
    fn kubernetes_resolution() {
        assert_eq!(resolve_plain("yes"), Bool(true));
        assert_eq!(resolve_plain("On"), Bool(true));
        assert_eq!(resolve_plain("NO"), Bool(false));
        assert_eq!(resolve_plain("y"), Bool(true));
        assert_eq!(resolve_plain("0755"), Int(493));
        assert_eq!(resolve_plain("0o755"), Int(493));
        assert_eq!(resolve_plain("0x1F"), Int(31));
        assert_eq!(resolve_plain("0b101"), Int(5));
        assert_eq!(resolve_plain("1_000"), Int(1000));
        assert_eq!(resolve_plain("-42"), Int(-42));
        assert_eq!(resolve_plain("1.10"), Float(1.1));
        assert_eq!(resolve_plain("1e3"), Float(1000.0));
        assert_eq!(resolve_plain("~"), Null);
        assert_eq!(resolve_plain("v1"), Str("v1".into()));
        assert_eq!(resolve_plain("09"), Float(9.0)); // octal fails, float regex matches
        assert_eq!(resolve_plain("1s"), Str("1s".into()));
        // Too big for int64 and uint64: go-yaml falls back to a float.
        assert_eq!(resolve_plain("99999999999999999999"), Float(1e20));
        assert_eq!(resolve_plain("-9223372036854775808"), Int(i64::MIN));
    }

    #[test]
    fn disagreements() {
        assert_eq!(
            yaml11_and_12_disagree(&resolve_plain("yes"), "yes"),
            Some(Str("yes".into()))
        );
        assert_eq!(
            yaml11_and_12_disagree(&resolve_plain("0755"), "0755"),
            Some(Int(755))
        );
        assert_eq!(
            yaml11_and_12_disagree(&resolve_plain("1_000"), "1_000"),
            Some(Str("1_000".into()))
        );
        assert_eq!(yaml11_and_12_disagree(&resolve_plain("true"), "true"), None);
        assert_eq!(yaml11_and_12_disagree(&resolve_plain("1.10"), "1.10"), None);
        assert_eq!(yaml11_and_12_disagree(&resolve_plain("100"), "100"), None);
    }

    #[test]
    fn quoting() {
        for s in [
            "on", "yes", "NO", "y", "0755", "1_000", "1.10", "~", "true", "", "null", "12",
        ] {
            assert!(needs_quotes(s), "{s}");
        }
        for s in ["v1", "version-v1", "recommendation", "1s", "3m"] {
            assert!(!needs_quotes(s), "{s}");
        }
    }

    /// Cases mutation testing found untested: signed integers, exponent
    /// signs, malformed floats, infinities in YAML 1.2, and dates, which
    /// only go-yaml's timestamps may retype.
    #[test]
    fn edge_cases_found_by_mutation_testing() {
        assert_eq!(resolve_plain("+5"), Int(5));
        assert_eq!(resolve_plain("-5"), Int(-5));
        for f in ["1e+5", "1e-5", "-1.5", "+.5", "1.", "1E5"] {
            assert!(is_yaml_float(f), "{f}");
        }
        for s in ["1e", "-.", "+", ".", "1e+", "e5", "-1.5x"] {
            assert!(!is_yaml_float(s), "{s}");
        }
        assert_eq!(resolve_plain_yaml12(".inf"), Float(f64::INFINITY));
        assert_eq!(resolve_plain_yaml12("+.Inf"), Float(f64::INFINITY));
        assert_eq!(yaml11_and_12_disagree(&resolve_plain(".inf"), ".inf"), None);
        // Go's ParseInt (base 0) reads the 0o prefix too.
        assert_eq!(resolve_plain("0o17"), Int(15));
        // A date stays a string for both readers, but go-yaml may retype it.
        assert_eq!(resolve_plain("2024-01-01"), Str("2024-01-01".into()));
        assert!(needs_quotes("2024-01-01"));
        assert!(!needs_quotes("2024-1"));
    }

    /// NaN is a float for both readers: no disagreement to report (mutation
    /// testing found the YAML 1.2 spelling untested).
    #[test]
    fn nan_is_a_float_in_yaml_1_1_and_1_2() {
        for text in [".nan", ".NaN", ".NAN"] {
            assert!(
                matches!(resolve_plain_yaml12(text), Float(f) if f.is_nan()),
                "{text}"
            );
            assert!(
                matches!(resolve_plain(text), Float(f) if f.is_nan()),
                "{text}"
            );
            assert_eq!(yaml11_and_12_disagree(&resolve_plain(text), text), None);
        }
        assert_eq!(resolve_plain_yaml12(".nAn"), Str(".nAn".into()));
    }
}
