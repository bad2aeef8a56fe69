//! The request whose route we compute: what a client sends, and where from.

/// Where the request enters the mesh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Leaves a sidecar in this namespace with these pod labels.
    Sidecar {
        namespace: String,
        labels: Vec<(String, String)>,
    },
    /// Enters the workload that the Istio Gateway `namespace/name` selects.
    Gateway { namespace: String, name: String },
}

#[derive(Clone, Debug)]
pub struct Request {
    /// The host as sent (`:authority` without the port).
    pub host: String,
    /// The port the request is sent to.
    pub port: u32,
    /// `:path`, with its query string.
    pub path: String,
    pub method: String,
    pub scheme: String,
    /// Lower-cased names; a name given twice is joined with "," as Envoy does.
    pub headers: Vec<(String, String)>,
    pub origin: Origin,
}

impl Request {
    /// `:authority`: a `host` header given with --header wins, as a client
    /// that sets it would send it.
    pub fn authority(&self) -> &str {
        self.header(":authority")
            .or_else(|| self.header("host"))
            .unwrap_or(&self.host)
    }

    /// The path without its query string (what exact and regex URI matches see).
    pub fn path_only(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(p, _)| p)
    }

    /// A header by lower-case name; the pseudo-headers Istio matches method,
    /// scheme and authority on are answered here too.
    pub fn header(&self, name: &str) -> Option<&str> {
        match name {
            ":method" => Some(&self.method),
            ":scheme" => Some(&self.scheme),
            ":path" => Some(&self.path),
            _ => self
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str()),
        }
    }

    /// The first value of a query parameter (percent-decoded, `+` kept); a
    /// parameter without `=` has the empty value.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let (_, query) = self.path.split_once('?')?;
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .find(|(k, _)| percent_decode(k) == name)
            .map(|(_, v)| percent_decode(v))
    }

    pub fn source_namespace(&self) -> Option<&str> {
        match &self.origin {
            Origin::Sidecar { namespace, .. } => Some(namespace),
            Origin::Gateway { .. } => None,
        }
    }
}

/// Adds a header, lower-casing its name and joining repeats with ",".
pub fn add_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    let name = name.trim().to_ascii_lowercase();
    let value = value.trim();
    if let Some((_, v)) = headers.iter_mut().find(|(n, _)| *n == name) {
        v.push(',');
        v.push_str(value);
    } else {
        headers.push((name, value.to_string()));
    }
}

/// Parses `name: value` (the curl form).
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    // A pseudo-header keeps its leading colon: `:authority: x`.
    let (lead, rest) = s.strip_prefix(':').map_or(("", s), |r| (":", r));
    let Some((name, value)) = rest.split_once(':') else {
        return Err(format!("header `{s}` is not `name: value`"));
    };
    let name = format!("{lead}{}", name.trim());
    if name.trim_start_matches(':').is_empty() {
        return Err(format!("header `{s}` has no name"));
    }
    Ok((name.to_ascii_lowercase(), value.trim().to_string()))
}

/// Parses `k=v,k2=v2`.
pub fn parse_labels(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!("label `{part}` is not `key=value`"));
        };
        out.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(out)
}

/// Splits `host:port` (a bracketed IPv6 address keeps its colons).
pub fn split_host_port(s: &str) -> (&str, Option<u32>) {
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((h, tail)) = rest.split_once(']') {
            return (h, tail.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (s, None),
        },
        _ => (s, None),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(path: &str) -> Request {
        Request {
            host: "reviews".into(),
            port: 80,
            path: path.into(),
            method: "GET".into(),
            scheme: "http".into(),
            headers: Vec::new(),
            origin: Origin::Sidecar {
                namespace: "default".into(),
                labels: Vec::new(),
            },
        }
    }

    #[test]
    fn query_parameters() {
        let r = req("/api?user=jason&debug&name=a%20b&user=other");
        assert_eq!(r.path_only(), "/api");
        assert_eq!(r.query_param("user").as_deref(), Some("jason"));
        assert_eq!(r.query_param("debug").as_deref(), Some(""));
        assert_eq!(r.query_param("name").as_deref(), Some("a b"));
        assert_eq!(r.query_param("none"), None);
        assert_eq!(req("/x?a=%").query_param("a").as_deref(), Some("%"));
        assert_eq!(req("/x?a=%4").query_param("a").as_deref(), Some("%4"));
    }

    #[test]
    fn headers_parse_and_join() {
        assert_eq!(
            parse_header("User-Agent: Mozilla/5.0 Firefox").unwrap(),
            ("user-agent".into(), "Mozilla/5.0 Firefox".into())
        );
        assert_eq!(
            parse_header(":authority: a.b").unwrap(),
            (":authority".into(), "a.b".into())
        );
        assert!(parse_header("nocolon").is_err());
        assert!(parse_header(": x").is_err());
        let mut h = Vec::new();
        add_header(&mut h, "X-A", "1");
        add_header(&mut h, "x-a", "2");
        assert_eq!(h, vec![("x-a".to_string(), "1,2".to_string())]);
    }

    #[test]
    fn labels_and_host_port() {
        assert_eq!(
            parse_labels("app=a, version=v1").unwrap(),
            vec![("app".into(), "a".into()), ("version".into(), "v1".into())]
        );
        assert!(parse_labels("app").is_err());
        assert_eq!(split_host_port("a.b:8080"), ("a.b", Some(8080)));
        assert_eq!(split_host_port("a.b"), ("a.b", None));
        assert_eq!(split_host_port("[::1]:80"), ("::1", Some(80)));
        assert_eq!(split_host_port("::1"), ("::1", None));
    }
}
