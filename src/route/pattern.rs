//! One string condition of a match, as Envoy evaluates what Istio generates
//! (pilot/pkg/networking/core/route/route.go translateHeaderMatch,
//! translateQueryParamMatch, canBeConvertedToPresentMatch).

use regex::Regex;

/// How a condition compares a value.
#[derive(Clone, Debug)]
pub enum Kind {
    Exact(String),
    Prefix(String),
    /// RE2 syntax, matched against the WHOLE value (Envoy safe_regex).
    /// `None` when the expression does not compile: it never matches.
    Regex(String, Option<Regex>),
    /// `regex: "*"` or a StringMatch with nothing set: Istio turns both into
    /// Envoy's present_match (istio/istio#20629).
    Present,
}

#[derive(Clone, Debug)]
pub struct Pattern {
    pub kind: Kind,
}

impl Pattern {
    pub fn exact(s: &str) -> Pattern {
        Pattern {
            kind: Kind::Exact(s.to_string()),
        }
    }

    pub fn prefix(s: &str) -> Pattern {
        Pattern {
            kind: Kind::Prefix(s.to_string()),
        }
    }

    /// A regex condition on a header (method, authority, scheme, headers,
    /// query parameters): `*` is a presence test there, as in Istio.
    pub fn header_regex(s: &str) -> Pattern {
        if s == "*" {
            return Pattern::present();
        }
        Pattern::regex(s)
    }

    /// A regex condition (on the uri, `*` is just an invalid expression).
    pub fn regex(s: &str) -> Pattern {
        Pattern {
            kind: Kind::Regex(s.to_string(), compile_full(s)),
        }
    }

    pub fn present() -> Pattern {
        Pattern {
            kind: Kind::Present,
        }
    }

    /// Reads a StringMatch as written (`{exact|prefix|regex: ...}`). A map
    /// with none of the three is a presence test; anything else is `None`.
    pub fn from_json(v: &serde_json::Value) -> Option<Pattern> {
        let m = v.as_object()?;
        if let Some(s) = m.get("exact").and_then(|s| s.as_str()) {
            return Some(Pattern::exact(s));
        }
        if let Some(s) = m.get("prefix").and_then(|s| s.as_str()) {
            return Some(Pattern::prefix(s));
        }
        if let Some(s) = m.get("regex").and_then(|s| s.as_str()) {
            return Some(Pattern::header_regex(s));
        }
        Some(Pattern::present())
    }

    /// Matches a value that is there. `ignore_case` only affects exact and
    /// prefix (Envoy ignores case_sensitive for safe_regex).
    pub fn matches(&self, value: &str, ignore_case: bool) -> bool {
        match &self.kind {
            Kind::Exact(e) if ignore_case => e.eq_ignore_ascii_case(value),
            Kind::Exact(e) => e == value,
            Kind::Prefix(p) if ignore_case => value
                .get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p)),
            Kind::Prefix(p) => value.starts_with(p.as_str()),
            Kind::Regex(_, Some(re)) => re.is_match(value),
            Kind::Regex(_, None) => false,
            Kind::Present => true,
        }
    }

    /// Matches a value that may be missing: only presence-free conditions
    /// need the value, a missing one never matches.
    pub fn matches_opt(&self, value: Option<&str>) -> bool {
        value.is_some_and(|v| self.matches(v, false))
    }

    /// `withoutHeaders`: Envoy's invert_match with treat_missing_header_as_empty
    /// (Istio sets it unless the condition is a presence test, where a
    /// missing header simply passes).
    pub fn excludes(&self, value: Option<&str>) -> bool {
        match (&self.kind, value) {
            (Kind::Present, v) => v.is_none(),
            (_, v) => !self.matches(v.unwrap_or(""), false),
        }
    }

    /// The condition as a user wrote it, for traces: `exact "v1"`.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Exact(s) => format!("exact {s:?}"),
            Kind::Prefix(s) => format!("prefix {s:?}"),
            Kind::Regex(s, Some(_)) => format!("regex {s:?}"),
            Kind::Regex(s, None) => format!("regex {s:?} (does not compile, never matches)"),
            Kind::Present => "present".to_string(),
        }
    }

    /// The text of an exact/prefix/regex condition (empty for presence).
    pub fn text(&self) -> &str {
        match &self.kind {
            Kind::Exact(s) | Kind::Prefix(s) | Kind::Regex(s, _) => s,
            Kind::Present => "",
        }
    }
}

/// Envoy matches safe_regex against the whole value; RE2 and the `regex`
/// crate share the syntax Istio validates, so anchoring is all we add.
fn compile_full(s: &str) -> Option<Regex> {
    regex::RegexBuilder::new(&format!("^(?:{s})$"))
        .size_limit(1 << 22)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_a_full_match() {
        let p = Pattern::regex("/users(/.*)?");
        assert!(p.matches("/users", false));
        assert!(p.matches("/users/1", false));
        assert!(!p.matches("/api/users", false));
        assert!(!p.matches("/usersx", false));
        // alternation stays inside the anchors
        let m = Pattern::regex("GET|OPTIONS");
        assert!(m.matches("GET", false));
        assert!(!m.matches("GETX", false));
        assert!(!m.matches("XOPTIONS", false));
    }

    #[test]
    fn star_regex_and_empty_match_are_presence() {
        assert!(matches!(Pattern::header_regex("*").kind, Kind::Present));
        // on the uri `*` stays a regex, one that does not compile
        assert!(!Pattern::regex("*").matches("*", false));
        let empty = Pattern::from_json(&serde_json::json!({})).unwrap();
        assert!(matches!(empty.kind, Kind::Present));
        assert!(empty.matches_opt(Some("")));
        assert!(!empty.matches_opt(None));
    }

    #[test]
    fn without_headers_treat_missing_as_empty() {
        // exact "foo" inverted: a missing header is "" and "" != "foo", so it passes
        assert!(Pattern::exact("foo").excludes(None));
        assert!(!Pattern::exact("foo").excludes(Some("foo")));
        // prefix "" matches the empty value, so even a missing header fails
        assert!(!Pattern::prefix("").excludes(None));
        // a presence test inverted: only a missing header passes
        assert!(Pattern::present().excludes(None));
        assert!(!Pattern::present().excludes(Some("x")));
    }

    #[test]
    fn ignore_case_applies_to_exact_and_prefix_only() {
        assert!(Pattern::exact("/Login").matches("/login", true));
        assert!(Pattern::prefix("/API").matches("/api/v1", true));
        assert!(!Pattern::prefix("/API").matches("/ap", true));
        assert!(!Pattern::regex("/API").matches("/api", true));
        // a multi-byte value shorter than the prefix in bytes does not panic
        assert!(!Pattern::prefix("/ab").matches("/é", true));
    }

    #[test]
    fn bad_regex_never_matches() {
        let p = Pattern::regex("(");
        assert!(!p.matches("(", false));
        assert!(p.describe().contains("does not compile"));
    }
}
