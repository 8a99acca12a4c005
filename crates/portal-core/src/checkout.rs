//! Which checkout pages the app may open in the system browser: only those the backend named,
//! and only on hosts the build allows (the provider's hosted checkout; loopback for the sandbox).

use crate::CoreError;
use std::net::IpAddr;
use url::Url;

/// The hosts a build may open checkout pages on.
#[derive(Debug, Clone)]
pub struct CheckoutPolicy {
    /// https hosts, e.g. `checkout.stripe.com`.
    pub https_hosts: Vec<String>,
    /// Whether http(s) on loopback is allowed (sandbox builds).
    pub allow_loopback: bool,
}

impl CheckoutPolicy {
    /// Checks a checkout URL the backend returned; returns it parsed, or why it may not open.
    pub fn check(&self, url: &str) -> Result<Url, CoreError> {
        let refuse = || CoreError::coded(portal_api::ErrorCode::CheckoutNotAllowed);
        let parsed = Url::parse(url).map_err(|_| refuse())?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refuse());
        }
        let loopback = match parsed.host() {
            Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        };
        let allowed = match parsed.scheme() {
            "https" if loopback => self.allow_loopback,
            "https" => parsed.host_str().is_some_and(|host| {
                self.https_hosts
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(host))
            }),
            "http" => loopback && self.allow_loopback,
            _ => false,
        };
        if allowed { Ok(parsed) } else { Err(refuse()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_hosts_and_sandbox_loopback_open() {
        let production = CheckoutPolicy {
            https_hosts: vec!["checkout.stripe.com".into()],
            allow_loopback: false,
        };
        let sandbox = CheckoutPolicy {
            allow_loopback: true,
            ..production.clone()
        };
        assert!(
            production
                .check("https://checkout.stripe.com/c/pay/cs_test_1")
                .is_ok()
        );
        for refused in [
            "http://checkout.stripe.com/c/pay/cs_1",
            "https://evil.example/c/pay/cs_1",
            "https://checkout.stripe.com.evil.example/",
            "https://user:pw@checkout.stripe.com/",
            "http://127.0.0.1:8787/sim/checkout/cs_1",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "com.enerpro.portal://invite?code=x",
            "not a url",
        ] {
            assert!(production.check(refused).is_err(), "{refused}");
        }
        assert!(
            sandbox
                .check("http://127.0.0.1:8787/sim/checkout/cs_1")
                .is_ok()
        );
        assert!(
            sandbox
                .check("http://localhost:8787/sim/checkout/cs_1")
                .is_ok()
        );
        assert!(
            sandbox
                .check("http://192.168.1.2:8787/sim/checkout/cs_1")
                .is_err()
        );
    }
}
