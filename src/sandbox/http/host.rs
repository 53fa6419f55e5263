//! The `Host` check (protection against DNS rebinding): a web page on another site can make a
//! browser send requests to `127.0.0.1:PORT` under its own host name, and the sandbox's
//! credentials are documented defaults. So a request whose `Host` is not one of the sandbox's
//! own names is refused with 403 before routing (the middleware is in the router's module). Own names: `localhost`, `127.0.0.1`, `[::1]`,
//! the bound address, and those given with `--allow-host`; with the sandbox's port (or none,
//! only when it listens on 80). A request without `Host` (HTTP/1.0 tools) is let through: a
//! browser always sends one.

use std::net::SocketAddr;

/// The host names a request may name, and the port.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: Vec<String>,
    pub port: u16,
}

impl AllowedHosts {
    pub fn new(bound: SocketAddr, extra: &[String]) -> Self {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .map(String::from)
            .collect();
        if !bound.ip().is_unspecified() {
            names.push(
                SocketAddr::new(bound.ip(), 0)
                    .to_string()
                    .trim_end_matches(":0")
                    .to_string(),
            );
        }
        for name in extra {
            let (host, _) = split_port(name.trim());
            names.push(host.to_ascii_lowercase());
        }
        Self {
            names,
            port: bound.port(),
        }
    }

    pub fn allows(&self, host: &str) -> bool {
        let (name, port) = split_port(host.trim());
        let port_ok = match port {
            Some(p) => p.parse::<u16>().ok() == Some(self.port),
            None => self.port == 80,
        };
        port_ok && self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }
}

/// `name[:port]`, IPv6 literals in brackets.
fn split_port(host: &str) -> (&str, Option<&str>) {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => (&host[..=end], host[end + 1..].strip_prefix(':')),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_names_with_the_port_only() {
        let hosts = AllowedHosts::new("127.0.0.1:4321".parse().unwrap(), &["sbx.test".into()]);
        for ok in [
            "localhost:4321",
            "127.0.0.1:4321",
            "[::1]:4321",
            "LOCALHOST:4321",
            "sbx.test:4321",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:4321",
            "localhost:80",
            "localhost",
            "127.0.0.1:43210",
            "[::1]",
            "localhost.evil:4321",
            "",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        let any = AllowedHosts::new("0.0.0.0:80".parse().unwrap(), &[]);
        assert!(any.allows("localhost"));
        assert!(!any.allows("0.0.0.0"));
    }
}
