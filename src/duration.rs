//! Go `time.ParseDuration`, which Kubernetes CEL `duration()` and Istio use
//! for duration strings such as `1s`, `1.5m`, `120.000s`, `1h30m`.

/// Fields of DestinationRule and VirtualService whose values are durations.
pub const FIELDS: &[&str] = &[
    "interval",
    "baseEjectionTime",
    "connectTimeout",
    "idleTimeout",
    "maxConnectionDuration",
    "time",
    "timeout",
    "perTryTimeout",
    "fixedDelay",
    "ttl",
    "maxAge",
    "duration",
];

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// What `for_each_field` calls per field: `(pointer, key, text)`.
pub type OnField<'f> = dyn FnMut(&dyn Fn() -> String, &str, &str) + 'f;

/// Calls `f(pointer, key, text)` for every string field named in [`FIELDS`]
/// under `v`; `pointer()` builds that field's pointer. It is only built when
/// asked (for a finding): the walk runs on every object, and most durations
/// are fine.
pub fn for_each_field(v: &serde_json::Value, base: &str, f: &mut OnField) {
    fn walk<'a>(v: &'a serde_json::Value, base: &str, path: &mut Vec<Seg<'a>>, f: &mut OnField) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, child) in m {
                    // The string test first: most values are not, and it is cheaper.
                    if let Some(s) = child.as_str().filter(|_| FIELDS.contains(&k.as_str())) {
                        let path = &*path;
                        f(&|| pointer(base, path, k), k, s);
                    }
                    if child.is_object() || child.is_array() {
                        path.push(Seg::Key(k));
                        walk(child, base, path, f);
                        path.pop();
                    }
                }
            }
            serde_json::Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    if c.is_object() || c.is_array() {
                        path.push(Seg::Index(i));
                        walk(c, base, path, f);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }
    walk(v, base, &mut Vec::new(), f)
}

/// `base` followed by the path's segments and `key`, escaped (RFC 6901).
fn pointer(base: &str, path: &[Seg], key: &str) -> String {
    let mut p = base.to_string();
    for seg in path.iter().chain(std::iter::once(&Seg::Key(key))) {
        p.push('/');
        match seg {
            Seg::Key(k) => crate::yaml::push_pointer_token(&mut p, k),
            Seg::Index(i) => p.push_str(&i.to_string()),
        }
    }
    p
}

/// Nanoseconds of a Go duration string, or why it is not one.
pub fn parse(s: &str) -> Result<i128, String> {
    let orig = s;
    let (neg, mut s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(format!("invalid duration \"{orig}\""));
    }
    let mut total: i128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &rest[..n];
            s = &rest[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(format!("invalid duration \"{orig}\""));
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(s.len(), |(i, _)| i);
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("missing unit in duration \"{orig}\"")),
            _ => return Err(format!("unknown unit \"{unit}\" in duration \"{orig}\"")),
        };
        let whole: i128 = if int_part.is_empty() {
            0
        } else {
            int_part
                .parse::<i128>()
                .map_err(|_| format!("invalid duration \"{orig}\""))?
        };
        let mut value = whole
            .checked_mul(scale)
            .ok_or_else(|| format!("duration \"{orig}\" is too large"))?;
        // Fractions keep nanosecond precision, like Go.
        let mut frac_scale = scale;
        for d in frac_part.bytes().take(30) {
            frac_scale /= 10;
            value += i128::from(d - b'0') * frac_scale;
        }
        total = total
            .checked_add(value)
            .ok_or_else(|| format!("duration \"{orig}\" is too large"))?;
        if total > i128::from(i64::MAX) {
            return Err(format!("duration \"{orig}\" is too large"));
        }
    }
    Ok(if neg { -total } else { total })
}

/// The shortest Go-style spelling of a duration (`2m`, `1h30m`, `1.5s`, `500ms`).
pub fn format(nanos: i128) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.abs();
    const MS: i128 = 1_000_000;
    const S: i128 = 1_000 * MS;
    if n % S != 0 {
        if n % MS == 0 {
            return format!("{sign}{}ms", n / MS);
        }
        return format!("{sign}{}ns", n);
    }
    let secs = n / S;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = sign.to_string();
    if h > 0 {
        out += &format!("{h}h");
    }
    if m > 0 {
        out += &format!("{m}m");
    }
    if s > 0 {
        out += &format!("{s}s");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i128 = 1_000_000;

    #[test]
    fn go_durations() {
        assert_eq!(parse("1s"), Ok(1000 * MS));
        assert_eq!(parse("120.000s"), Ok(120_000 * MS));
        assert_eq!(parse("1.5m"), Ok(90_000 * MS));
        assert_eq!(parse("1h30m"), Ok(5_400_000 * MS));
        assert_eq!(parse("500us"), Ok(500_000));
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("-1s"), Ok(-1000 * MS));
        assert!(parse("banana").is_err());
        assert!(parse("10").unwrap_err().contains("missing unit"));
        assert!(parse("1d").unwrap_err().contains("unknown unit \"d\""));
        assert!(parse("").is_err());
        assert!(parse("99999999999h").is_err());
    }

    #[test]
    fn shortest_spelling() {
        assert_eq!(format(120_000 * MS), "2m");
        assert_eq!(format(5_400_000 * MS), "1h30m");
        assert_eq!(format(1500 * MS), "1500ms");
        assert_eq!(format(180_000 * MS), "3m");
        assert_eq!(format(0), "0s");
    }
}
