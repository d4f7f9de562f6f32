//! `http://` URLs restricted to loopback, so the stand-ins never send a packet off the machine.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// An `http://` URL whose host is in 127.0.0.0/8, `[::1]` or `localhost`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopbackUrl {
    url: String,
    addr: SocketAddr,
    host: String,
    path: String,
}

/// Why a URL was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError {
    url: String,
    reason: &'static str,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing STS URL '{}': {}; the stand-ins only talk to http:// on 127.0.0.0/8, [::1] or localhost",
            self.url, self.reason
        )
    }
}

impl std::error::Error for UrlError {}

impl LoopbackUrl {
    /// Parses `url`, refusing anything but plain `http://` to a loopback host.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        // A refused URL is echoed in the error, minus any `user:password@`, which could be a secret.
        let shown = match (url.find("://"), url.find('@')) {
            (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
            _ => url.to_owned(),
        };
        let err = |reason| UrlError { url: shown.chars().take(200).collect(), reason };
        let rest = url.strip_prefix("http://").ok_or_else(|| err("only http:// is allowed"))?;
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(err("user information is not allowed"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| err("unterminated IPv6 literal"))?;
            (h, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        let port: u16 = match port {
            None => 80,
            Some(p) => p.parse().map_err(|_| err("the port is not a number"))?,
        };
        let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
            // Never ask a resolver: `localhost` always means 127.0.0.1 here.
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            host.parse().map_err(|_| err("the host is not a loopback address"))?
        };
        if !ip.is_loopback() {
            return Err(err("the host is not a loopback address"));
        }
        let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
        Ok(Self { url: url.to_owned(), addr: SocketAddr::new(ip, port), host: authority.to_owned(), path })
    }

    /// The socket address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The path (and query) to request, at least `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The authority as written in the URL (`127.0.0.1:5055`).
    pub fn authority(&self) -> &str {
        &self.host
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for LoopbackUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_loopback_only() {
        let u = LoopbackUrl::parse("http://127.0.0.1:5055").unwrap();
        assert_eq!(u.addr(), "127.0.0.1:5055".parse().unwrap());
        assert_eq!(u.path(), "/");
        assert_eq!(LoopbackUrl::parse("http://127.9.8.7/sts").unwrap().path(), "/sts");
        assert_eq!(LoopbackUrl::parse("http://[::1]:8/").unwrap().addr(), "[::1]:8".parse().unwrap());
        assert_eq!(LoopbackUrl::parse("http://LOCALHOST:9").unwrap().addr(), "127.0.0.1:9".parse().unwrap());
        for bad in [
            "https://127.0.0.1/",
            "http://10.0.0.1/",
            "http://169.254.169.254/",
            "http://sts.amazonaws.com/",
            "http://127.0.0.1.nip.io/",
            "http://user@127.0.0.1/",
            "http://[::2]/",
            "http://[::1/",
            "http://127.0.0.1:99999/",
            "ftp://127.0.0.1/",
            "",
        ] {
            assert!(LoopbackUrl::parse(bad).is_err(), "{bad}");
        }
        let e = LoopbackUrl::parse("http://me:hunter2@127.0.0.1/").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
