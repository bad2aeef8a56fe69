//! Istio's port protocols (pkg/config/protocol): `Parse` ignores case and
//! maps anything else to `Unsupported`, which Gateways reject and Services
//! leave to protocol sniffing.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Grpc,
    GrpcWeb,
    Http,
    HttpProxy,
    Http2,
    Https,
    Tls,
    Mongo,
    Redis,
    MySql,
    Unsupported,
}

impl Protocol {
    /// `protocol.Parse`.
    pub fn parse(s: &str) -> Protocol {
        match s.to_ascii_lowercase().as_str() {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "grpc" => Protocol::Grpc,
            "grpc-web" => Protocol::GrpcWeb,
            "http" => Protocol::Http,
            "http_proxy" => Protocol::HttpProxy,
            "http2" => Protocol::Http2,
            "https" => Protocol::Https,
            "tls" => Protocol::Tls,
            "mongo" => Protocol::Mongo,
            "redis" => Protocol::Redis,
            "mysql" => Protocol::MySql,
            _ => Protocol::Unsupported,
        }
    }

    /// Carried over HTTP (`IsHTTP`).
    pub fn is_http(self) -> bool {
        matches!(
            self,
            Protocol::Http
                | Protocol::Http2
                | Protocol::HttpProxy
                | Protocol::Grpc
                | Protocol::GrpcWeb
        )
    }

    /// On top of TLS (`IsTLS`): HTTPS and TLS.
    pub fn is_tls(self) -> bool {
        matches!(self, Protocol::Https | Protocol::Tls)
    }

    /// TCP as the transport, without HTTP routing (`IsTCP`).
    pub fn is_tcp(self) -> bool {
        matches!(
            self,
            Protocol::Tcp
                | Protocol::Https
                | Protocol::Tls
                | Protocol::Mongo
                | Protocol::Redis
                | Protocol::MySql
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Protocol;

    #[test]
    fn parse_ignores_case_and_rejects_others() {
        assert_eq!(Protocol::parse("HTTP"), Protocol::Http);
        assert_eq!(Protocol::parse("grpc-Web"), Protocol::GrpcWeb);
        assert_eq!(Protocol::parse("kafka"), Protocol::Unsupported);
        assert_eq!(Protocol::parse(""), Protocol::Unsupported);
        assert!(Protocol::parse("http_proxy").is_http());
        assert!(Protocol::parse("https").is_tls() && !Protocol::parse("https").is_http());
        assert!(Protocol::parse("mongo").is_tcp() && !Protocol::parse("mongo").is_tls());
    }
}
