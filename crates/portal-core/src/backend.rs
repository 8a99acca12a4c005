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

/// A configured value, unless it is missing or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

impl BackendSources {
    /// Chooses the backend: the flag, then the environment, then the build default. When
    /// `overrides_allowed` is false (release builds) only the build default counts.
    pub fn choose(&self, overrides_allowed: bool) -> Result<BackendUrl, CoreError> {
        let chosen = if overrides_allowed {
            given(&self.launch_flag)
                .or_else(|| given(&self.environment))
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
    use portal_api::ErrorCode;

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
            assert_eq!(error.code(), ErrorCode::InvalidBackendUrl, "{bad}");
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

pub use portal_api::ipc::BackendChoice;

/// The backends a build knows, by name, for support staff to choose among in Settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environments {
    /// Production (the default of release builds).
    pub production: String,
    /// The sandbox server support staff use.
    pub sandbox: String,
    /// Whether any URL may be typed in (debug builds only).
    pub custom_allowed: bool,
}

impl Environments {
    /// The URL of a choice, if this build allows it.
    pub fn url_of(&self, choice: &BackendChoice) -> Result<BackendUrl, CoreError> {
        match choice {
            BackendChoice::Production => BackendUrl::parse(&self.production),
            BackendChoice::Sandbox => BackendUrl::parse(&self.sandbox),
            BackendChoice::Custom(url) if self.custom_allowed => BackendUrl::parse(url),
            BackendChoice::Custom(_) => Err(CoreError::InvalidBackendUrl {
                reason: "this build only connects to its configured servers".into(),
            }),
        }
    }

    /// Reads the saved choice from `path`; none (or an unreadable file) means the build default.
    pub fn saved_choice(path: &std::path::Path) -> Option<BackendChoice> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str::<SavedChoice>(&text)
            .ok()
            .map(BackendChoice::from)
    }

    /// Saves `choice` to `path` after checking this build allows it.
    pub fn save_choice(
        &self,
        path: &std::path::Path,
        choice: &BackendChoice,
    ) -> Result<BackendUrl, CoreError> {
        let url = self.url_of(choice)?;
        let text = serde_json::to_string(&SavedChoice::from(choice.clone())).map_err(|e| {
            CoreError::Cache {
                detail: e.to_string(),
            }
        })?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CoreError::Cache {
                detail: e.to_string(),
            })?;
        }
        std::fs::write(path, text).map_err(|e| CoreError::Cache {
            detail: e.to_string(),
        })?;
        Ok(url)
    }
}

/// The saved choice's file format, `{"environment":"custom","url":"…"}`: its own type, so the
/// file stays readable whatever shape the UI's contract gives [`BackendChoice`].
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(tag = "environment", content = "url", rename_all = "snake_case")]
enum SavedChoice {
    Production,
    Sandbox,
    Custom(String),
}

impl From<BackendChoice> for SavedChoice {
    fn from(choice: BackendChoice) -> Self {
        match choice {
            BackendChoice::Production => Self::Production,
            BackendChoice::Sandbox => Self::Sandbox,
            BackendChoice::Custom(url) => Self::Custom(url),
        }
    }
}

impl From<SavedChoice> for BackendChoice {
    fn from(choice: SavedChoice) -> Self {
        match choice {
            SavedChoice::Production => Self::Production,
            SavedChoice::Sandbox => Self::Sandbox,
            SavedChoice::Custom(url) => Self::Custom(url),
        }
    }
}

#[cfg(test)]
mod choice_tests {
    use super::*;

    fn environments(custom_allowed: bool) -> Environments {
        Environments {
            production: "https://portal.enerpro.example".into(),
            sandbox: "https://sandbox.enerpro.example".into(),
            custom_allowed,
        }
    }

    #[test]
    fn a_saved_choice_round_trips_and_custom_urls_need_a_debug_build() {
        let dir = std::env::temp_dir().join(format!("enerpro-choice-{}", std::process::id()));
        let path = dir.join("backend.json");
        let _ = std::fs::remove_file(&path);
        assert_eq!(Environments::saved_choice(&path), None);

        let release = environments(false);
        let url = release.save_choice(&path, &BackendChoice::Sandbox).unwrap();
        assert_eq!(url.as_str(), "https://sandbox.enerpro.example/");
        assert_eq!(
            Environments::saved_choice(&path),
            Some(BackendChoice::Sandbox)
        );

        let custom = BackendChoice::Custom("http://127.0.0.1:9999".into());
        assert_eq!(
            release.save_choice(&path, &custom).unwrap_err().code(),
            portal_api::ErrorCode::InvalidBackendUrl
        );
        assert_eq!(
            Environments::saved_choice(&path),
            Some(BackendChoice::Sandbox),
            "refused choices change nothing"
        );

        let debug = environments(true);
        debug.save_choice(&path, &custom).unwrap();
        assert_eq!(Environments::saved_choice(&path), Some(custom));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            r#"{"environment":"custom","url":"http://127.0.0.1:9999"}"#,
            "the file keeps the shape earlier versions wrote"
        );
        let insecure = BackendChoice::Custom("http://sandbox.enerpro.example".into());
        assert!(
            debug.save_choice(&path, &insecure).is_err(),
            "plain http only to loopback"
        );

        std::fs::write(&path, "{ not json").unwrap();
        assert_eq!(
            Environments::saved_choice(&path),
            None,
            "a broken file means the build default"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
