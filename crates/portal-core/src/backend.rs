//! Which backend the app talks to, and how that choice is made.
//!
//! The build fixes a default (production for release builds). Support staff and developers may
//! override it with an explicit launch flag or environment variable, in builds that allow it. A deep
//! link is never a source: nothing in [`crate::deep_link`] can produce a [`BackendUrl`].

use crate::CoreError;
use std::net::IpAddr;
use url::Url;

/// A backend base URL that passed the transport rules: https, or plain http only to loopback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendUrl(Url);

impl BackendUrl {
    /// Checks and parses a backend base URL such as `https://portal.enerpro.example`.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        let invalid = |reason: &str| CoreError::InvalidBackendUrl {
            reason: reason.to_owned(),
        };
        let url = Url::parse(text.trim()).map_err(|_| invalid("it is not a URL"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("it must not contain credentials"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it must not have a query or fragment"));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => return Err(invalid("plain http is allowed only for loopback addresses")),
            _ => return Err(invalid("it must be an https URL")),
        }
        if url.host().is_none() {
            return Err(invalid("it has no host"));
        }
        Ok(Self(url))
    }

    /// The full URL of an API path such as `/v1/health` or `/v1/bills?status=outstanding`.
    pub fn endpoint(&self, path_and_query: &str) -> Url {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let mut url = self.0.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}{path}"));
        url.set_query(query);
        url
    }

    /// The base URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Display for BackendUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Where a backend choice may come from, in order of precedence.
#[derive(Debug, Clone, Default)]
pub struct BackendSources {
    /// `--backend URL` on the command line.
    pub launch_flag: Option<String>,
    /// The `ENERPRO_BACKEND_URL` environment variable.
    pub environment: Option<String>,
    /// The build's default.
    pub build_default: String,
}

impl BackendSources {
    /// Chooses the backend: the flag, then the environment, then the build default. When
    /// `overrides_allowed` is false (release builds) only the build default counts.
    pub fn choose(&self, overrides_allowed: bool) -> Result<BackendUrl, CoreError> {
        let chosen = if overrides_allowed {
            self.launch_flag
                .as_deref()
                .or(self.environment.as_deref())
                .unwrap_or(&self.build_default)
        } else {
            &self.build_default
        };
        BackendUrl::parse(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_are_accepted() {
        for ok in [
            "https://portal.enerpro.example",
            "https://portal.enerpro.example/base/",
            "http://127.0.0.1:8787",
            "http://localhost:8787",
            "http://[::1]:8787",
            "http://127.5.6.7",
        ] {
            assert!(BackendUrl::parse(ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn insecure_or_odd_urls_are_refused_with_a_reason() {
        for bad in [
            "",
            "portal.enerpro.example",
            "http://portal.enerpro.example",
            "http://192.168.1.10:8787",
            "ftp://portal.enerpro.example",
            "https://user:pw@portal.enerpro.example",
            "https://portal.enerpro.example/?x=1",
            "https://portal.enerpro.example/#frag",
            "com.enerpro.portal://invite?code=abc",
        ] {
            let error = BackendUrl::parse(bad).unwrap_err();
            assert_eq!(error.code(), "invalid_backend_url", "{bad}");
        }
    }

    #[test]
    fn endpoint_joins_paths_under_the_base() {
        let base = BackendUrl::parse("https://h.example/base/").unwrap();
        assert_eq!(
            base.endpoint("/v1/health").as_str(),
            "https://h.example/base/v1/health"
        );
        let root = BackendUrl::parse("http://127.0.0.1:8787").unwrap();
        assert_eq!(
            root.endpoint("/v1/health").as_str(),
            "http://127.0.0.1:8787/v1/health"
        );
        assert_eq!(
            root.endpoint("/v1/bills?status=outstanding").as_str(),
            "http://127.0.0.1:8787/v1/bills?status=outstanding"
        );
    }

    #[test]
    fn flag_beats_environment_beats_default_only_when_allowed() {
        let sources = BackendSources {
            launch_flag: Some("http://127.0.0.1:1".into()),
            environment: Some("http://127.0.0.1:2".into()),
            build_default: "https://prod.example".into(),
        };
        assert_eq!(
            sources.choose(true).unwrap().as_str(),
            "http://127.0.0.1:1/"
        );
        assert_eq!(
            sources.choose(false).unwrap().as_str(),
            "https://prod.example/"
        );
        let env_only = BackendSources {
            launch_flag: None,
            ..sources
        };
        assert_eq!(
            env_only.choose(true).unwrap().as_str(),
            "http://127.0.0.1:2/"
        );
    }
}
