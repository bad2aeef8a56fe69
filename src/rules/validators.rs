//! Istio's validation primitives (pilot/pkg/config/validation), re-done:
//! domains, labels, ports, durations, regexes, header names.

use crate::duration;
use std::collections::HashMap;

/// A DNS-1123 label (Istio's regex accepts upper case too).
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

fn check_labels(domain: &str) -> Result<(), String> {
    // A byte scan for the dots (no list of labels, no char searcher): this
    // runs for every host of every object and again for every reference.
    let bytes = domain.as_bytes();
    let dot = |from: usize| {
        bytes[from..]
            .iter()
            .position(|&b| b == b'.')
            .map(|i| from + i)
    };
    let top = &domain[bytes.iter().rposition(|&b| b == b'.').map_or(0, |i| i + 1)..];
    if !top.is_empty() && top.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "domain name \"{domain}\" invalid (top level domain \"{top}\" cannot be all-numeric)"
        ));
    }
    let mut start = 0;
    loop {
        let end = dot(start).unwrap_or(bytes.len());
        let (label, last) = (&domain[start..end], end == bytes.len());
        // A trailing dot (empty last label) is fine.
        if !(is_dns1123_label(label) || last && label.is_empty()) {
            return Err(format!(
                "domain name \"{domain}\" invalid (label \"{label}\" invalid)"
            ));
        }
        if last {
            return Ok(());
        }
        start = end + 1;
    }
}

fn preconditions(name: &str) -> Result<(), String> {
    if name.len() > 255 {
        return Err(format!("domain name \"{name}\" too long (max 255)"));
    }
    if name.is_empty() {
        return Err("empty domain name not allowed".into());
    }
    Ok(())
}

/// An Envoy header value: `%%` is a literal `%`, and every other `%` opens a
/// command (`%HOSTNAME%`, `%REQ(x-id)%`, `%START_TIME(%s)%`, `%REQ(x):10%`).
pub fn envoy_format(value: &str) -> Result<(), String> {
    const SINGLE: &str =
        "single % not allowed. Escape by doubling to %% or encase Envoy variable name in pair of %";
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        if b.get(i + 1) == Some(&b'%') {
            i += 2;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_uppercase() || b[j].is_ascii_digit() || b[j] == b'_') {
            j += 1;
        }
        if j == start {
            return Err(SINGLE.into());
        }
        if b.get(j) == Some(&b'(') {
            match value[j..].find(')') {
                Some(close) => j += close + 1,
                None => return Err(format!("unterminated argument in {}", &value[i..])),
            }
        }
        if b.get(j) == Some(&b':') {
            j += 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
        }
        if b.get(j) != Some(&b'%') {
            return Err(SINGLE.into());
        }
        i = j + 1;
    }
    Ok(())
}

/// `ValidateFQDN`.
pub fn fqdn(name: &str) -> Result<(), String> {
    preconditions(name)?;
    check_labels(name)
}

/// `ValidateWildcardDomain`: a wildcard only as the first label (`*`, `*foo`, `*-foo`).
pub fn wildcard_domain(domain: &str) -> Result<(), String> {
    preconditions(domain)?;
    let (first, rest) = match domain.bytes().position(|b| b == b'.') {
        Some(i) => (&domain[..i], Some(&domain[i + 1..])),
        None => (domain, None),
    };
    let body = first
        .strip_prefix("*-")
        .or_else(|| first.strip_prefix('*'))
        .unwrap_or(first);
    let ok_first = first == "*" || (first.len() <= 63 && is_dns1123_label(body));
    if !ok_first {
        return Err(format!(
            "domain name \"{domain}\" invalid (label \"{first}\" invalid)"
        ));
    }
    match rest {
        Some(r) => check_labels(r),
        None => Ok(()),
    }
}

/// Istio's `ValidateWildcardDomainForVirtualServiceBoundToGateway`: with
/// `sni` (a TLS route of the VirtualService names SNI hosts), a host in the
/// `outbound_.<PORT>_._.<HOSTNAME>` form of Envoy's AUTO_PASSTHROUGH cluster
/// names is accepted when its port part holds a digit and its host part a
/// letter (Istio's unanchored `([0-9].*)` and `([a-zA-Z].*)`).
pub fn gateway_domain(sni: bool, domain: &str) -> Result<(), String> {
    if !(sni && domain.starts_with("outbound_")) {
        return wildcard_domain(domain);
    }
    preconditions(domain)?;
    // Istio also compares the part before the first `_` with `outbound`,
    // which the prefix test above has settled.
    const FORMAT: &str = "outbound_.<PORT>_._.<HOSTNAME>";
    let parts: Vec<&str> = domain.split('_').collect();
    if parts.len() < 4 {
        return Err(format!(
            "domain name {domain} invalid, should follow '{FORMAT}' format"
        ));
    }
    let port = parts[1].trim_matches('.');
    let hostname = parts[3].trim_matches('.');
    let invalid = |label: &str| {
        format!("domain name \"{domain}\" invalid (label \"{label}\" invalid). should follow {FORMAT} format")
    };
    if !port.bytes().any(|b| b.is_ascii_digit()) {
        return Err(invalid(port));
    }
    if !hostname.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Err(invalid(hostname));
    }
    Ok(())
}

/// `validateDestination`'s host check: a (wildcard) domain name, but not `*`.
pub fn destination_host(host: &str) -> Result<(), String> {
    if host == "*" {
        return Err("invalid destination host *".into());
    }
    wildcard_domain(host)
}

pub fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

pub fn port(n: i64) -> Result<(), String> {
    if (1..=65535).contains(&n) {
        Ok(())
    } else {
        Err(format!("port number {n} must be in the range 1..65535"))
    }
}

/// `ValidateDuration`: at least 1ms, millisecond precision.
pub fn duration_ms(s: &str) -> Result<(), String> {
    let n = duration::parse(s)?;
    if n < 1_000_000 {
        return Err(format!("duration {s} must be at least 1ms"));
    }
    if n % 1_000_000 != 0 {
        return Err(format!(
            "duration {s}: only durations to ms precision are supported"
        ));
    }
    Ok(())
}

/// Go `regexp` (RE2) syntax; the Rust regex syntax is RE2's, without
/// backreferences and look-around, like RE2.
pub fn re2(re: &str) -> Result<(), String> {
    if re.len() > 1024 {
        return Err("regex is too large, max length allowed is 1024".into());
    }
    // Parsing is most of a VirtualService's webhook checks, and a repository
    // repeats its few patterns in every route: remember the last ones seen.
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<String, Result<(), String>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    const REMEMBERED: usize = 256;
    if let Some(known) = SEEN.with(|seen| seen.borrow().get(re).cloned()) {
        return known;
    }
    let verdict = parse_re2(re);
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() >= REMEMBERED {
            seen.clear();
        }
        seen.insert(re.to_string(), verdict.clone());
    });
    verdict
}

fn parse_re2(re: &str) -> Result<(), String> {
    regex_syntax::Parser::new()
        .parse(re)
        .map(|_| ())
        .map_err(|e| {
            let text = e.to_string();
            let last = text.lines().last().unwrap_or("invalid regex").trim();
            last.strip_prefix("error: ").unwrap_or(last).to_string()
        })
}

/// Kubernetes label keys and values (`labels.Instance.Validate`).
pub fn label(key: &str, value: &str) -> Result<(), String> {
    let name_ok = |n: &str| {
        let b = n.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    };
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.len() > 253 {
            return Err(format!(
                "invalid tag key: \"{key}\" (DNS prefix is too long)"
            ));
        }
        if !p.split('.').all(is_dns1123_label) {
            return Err(format!("invalid tag key: \"{key}\""));
        }
    }
    if name.len() > 63 {
        return Err(format!("invalid tag key: \"{key}\" (name is too long)"));
    }
    if !name_ok(name) {
        return Err(format!("invalid tag key: \"{key}\""));
    }
    if !value.is_empty() && !name_ok_value(value) {
        return Err(format!("invalid tag value: \"{value}\""));
    }
    Ok(())
}

fn name_ok_value(v: &str) -> bool {
    let b = v.as_bytes();
    b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// An HTTP header name (tchar), with pseudo headers and JWT claim keys.
pub fn header_name(h: &str) -> Result<(), String> {
    if h.is_empty() {
        return Err("header name cannot be empty".into());
    }
    if [":method", ":scheme", ":authority", ":path", ":status"].contains(&h)
        || h.to_ascii_lowercase().starts_with("@request.auth.claims")
    {
        return Ok(());
    }
    let ok = h
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~,".contains(&c));
    if ok {
        Ok(())
    } else {
        Err(format!("header name {h} is not a valid header name"))
    }
}

pub fn is_jwt_claim(h: &str) -> bool {
    h.to_ascii_lowercase().starts_with("@request.auth.claims")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Istio's TestValidateWildcardDomainForVirtualServiceBoundToGateway, restated.
    #[test]
    fn gateway_domains() {
        let long = "x".repeat(256);
        let happy = "x".repeat(63);
        for (domain, sni, error) in [
            ("", false, Some("empty domain name not allowed".to_string())),
            (long.as_str(), false, Some(format!("domain name \"{long}\" too long (max 255)"))),
            (happy.as_str(), false, None),
            ("*", false, None),
            ("*.bar.com", false, None),
            ("*foo", false, None),
            ("*foo.bar.com", false, None),
            ("*-foo.bar.com", false, None),
            // Istio names the rest of the host here (ValidateDNS1123Labels of it).
            ("foo.*.com", false, Some("domain name \"*.com\" invalid (label \"*\" invalid)".into())),
            ("outbound_.80_._.e2e.foobar.mesh", true, None),
            ("outbound.com", true, None),
            (
                "neverbound_.80_._.e2e.foobar.mesh",
                true,
                Some("domain name \"neverbound_.80_._.e2e.foobar.mesh\" invalid (label \"neverbound_\" invalid)".into()),
            ),
            (
                "outbound_.thisIsNotAPort_._.e2e.foobar.mesh",
                true,
                Some("domain name \"outbound_.thisIsNotAPort_._.e2e.foobar.mesh\" invalid (label \"thisIsNotAPort\" invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format".into()),
            ),
            (
                "outbound_.80_._",
                true,
                Some("domain name \"outbound_.80_._\" invalid (label \"\" invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format".into()),
            ),
            (
                "outbound_.80",
                true,
                Some("domain name outbound_.80 invalid, should follow 'outbound_.<PORT>_._.<HOSTNAME>' format".into()),
            ),
            // Without SNI hosts the form is no exception.
            (
                "outbound_.80_._.e2e.foobar.mesh",
                false,
                Some("domain name \"outbound_.80_._.e2e.foobar.mesh\" invalid (label \"outbound_\" invalid)".into()),
            ),
        ] {
            assert_eq!(gateway_domain(sni, domain).err(), error, "{domain} sni={sni}");
        }
    }

    #[test]
    fn envoy_formats() {
        for ok in [
            "foo",
            "%HOSTNAME%",
            "100%%",
            "prefix %HOSTNAME% suffix",
            "%REQ(x-id):10%",
            "%START_TIME(%s.%3f)%",
            "",
        ] {
            assert_eq!(envoy_format(ok), Ok(()), "{ok}");
        }
        for bad in [
            "abcd%oijasodifj",
            "%START_TIME%%",
            "50%",
            "%REQ(x-id%",
            "%lower%",
        ] {
            assert!(envoy_format(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domains() {
        assert!(wildcard_domain("reviews").is_ok());
        assert!(wildcard_domain("*.bookinfo.svc.cluster.local").is_ok());
        assert!(wildcard_domain("*").is_ok());
        assert!(wildcard_domain("*-foo.baz").is_ok());
        assert_eq!(
            wildcard_domain("foo.*.com"),
            Err("domain name \"*.com\" invalid (label \"*\" invalid)".into())
        );
        assert_eq!(
            wildcard_domain("10.0.0.1"),
            Err(
                "domain name \"0.0.1\" invalid (top level domain \"1\" cannot be all-numeric)"
                    .into()
            )
        );
        assert_eq!(
            wildcard_domain(""),
            Err("empty domain name not allowed".into())
        );
        assert!(wildcard_domain("default/baz").is_err());
        assert!(fqdn("mesh").is_ok());
        assert!(fqdn("b@dgateway").is_err());
        // Labels as Go's strings.Split gives them: a trailing dot is fine,
        // an empty label elsewhere is named in the message.
        assert!(fqdn("reviews.default.svc.cluster.local.").is_ok());
        assert!(wildcard_domain("*.").is_ok());
        assert_eq!(
            fqdn("a..b"),
            Err("domain name \"a..b\" invalid (label \"\" invalid)".into())
        );
        assert_eq!(
            fqdn("a.b.."),
            Err("domain name \"a.b..\" invalid (label \"\" invalid)".into())
        );
        assert_eq!(
            fqdn("-a.b"),
            Err("domain name \"-a.b\" invalid (label \"-a\" invalid)".into())
        );
        assert_eq!(
            fqdn("a.b-"),
            Err("domain name \"a.b-\" invalid (label \"b-\" invalid)".into())
        );
    }

    #[test]
    fn labels_ports_durations_regexes() {
        assert!(label("app.kubernetes.io/name", "v1").is_ok());
        assert!(label("version", "").is_ok());
        assert_eq!(
            label("bad key", "x"),
            Err("invalid tag key: \"bad key\"".into())
        );
        assert_eq!(label("k", "-x"), Err("invalid tag value: \"-x\"".into()));
        assert!(port(0).is_err() && port(65535).is_ok());
        assert!(duration_ms("1.5ms").unwrap_err().contains("ms precision"));
        assert!(duration_ms("1ms").is_ok());
        assert!(re2("^/api/.*").is_ok());
        assert!(re2("(?=x)").is_err());
        assert!(re2("[").is_err());
        // Remembered verdicts are the parsed ones, however often asked.
        for _ in 0..3 {
            assert_eq!(re2("["), Err("unclosed character class".into()));
            assert_eq!(re2("a(b"), Err("unclosed group".into()));
            assert_eq!(re2("^/api/.*"), Ok(()));
        }
        for i in 0..600 {
            assert_eq!(re2(&format!("x{i}(")), Err("unclosed group".into()));
        }
        assert!(header_name("x-user").is_ok() && header_name("bad header").is_err());
    }

    /// Label keys: a DNS prefix of at most 253 characters (mutation testing
    /// found the boundary untested).
    #[test]
    fn label_key_prefix_length() {
        let prefix = |n: usize| {
            let mut p = ["a".repeat(63), "b".repeat(63), "c".repeat(63)].join(".");
            p.push('.');
            p.push_str(&"d".repeat(n - p.len()));
            p
        };
        assert_eq!(prefix(253).len(), 253);
        assert_eq!(label(&format!("{}/app", prefix(253)), "v1"), Ok(()));
        let long = format!("{}/app", prefix(254));
        assert_eq!(
            label(&long, "v1"),
            Err(format!(
                "invalid tag key: \"{long}\" (DNS prefix is too long)"
            ))
        );
        assert_eq!(label(&"n".repeat(63), "v1"), Ok(()));
        assert!(label(&"n".repeat(64), "v1").is_err());
    }

    /// Domain names: at most 255 characters (mutation testing found the
    /// boundary untested), as Istio's `CheckDNS1123Preconditions`.
    #[test]
    fn domain_name_length() {
        let name = |n: usize| {
            let mut d = ["a".repeat(63), "b".repeat(63), "c".repeat(63)].join(".");
            d.push('.');
            d.push_str(&"d".repeat(n - d.len()));
            d
        };
        assert_eq!(name(255).len(), 255);
        assert_eq!(fqdn(&name(255)), Ok(()));
        assert_eq!(wildcard_domain(&format!("*{}", &name(255)[1..])), Ok(()));
        let long = name(256);
        let too_long = Err(format!("domain name \"{long}\" too long (max 255)"));
        assert_eq!(fqdn(&long), too_long);
        assert_eq!(wildcard_domain(&long), too_long);
        assert_eq!(destination_host(&long), too_long);
    }
}
