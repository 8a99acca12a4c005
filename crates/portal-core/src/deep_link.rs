//! The one strict parser for the portal's deep links.
//!
//! Accepted forms (and nothing else):
//! - `com.enerpro.portal://invite?code=CODE`, `com.enerpro.portal://signin?code=CODE`,
//!   `com.enerpro.portal://payment/return?payment=ID`, and the notifications' `…://bill?id=ID`
//!   and `…://payment?id=ID` (desktop, private-use scheme per RFC 8252);
//! - `https://<portal host>/app/invite?code=CODE`, `…/app/signin?code=CODE`,
//!   `…/app/payment/return?payment=ID`, `…/app/bill?id=ID`, `…/app/payment?id=ID` (mobile
//!   claimed links), only for the configured host.
//!
//! Each link has exactly one parameter. Anything more (another parameter, a fragment, credentials,
//! a port) is refused, so a link can never smuggle in a backend address or other settings.

use crate::{CoreError, LinkRejection};
use portal_api::links::{
    AUTOPAY_RETURN, BILL, INVITE, PAYMENT, PAYMENT_RETURN, SIGN_IN, WEB_PREFIX,
};
pub use portal_api::links::{DeepLink, SCHEME};
use portal_api::v1::{ONE_TIME_CODE_LEN, is_token_shaped};
use url::Url;

/// The longest link the parser reads; real links are well under 300 characters.
pub const MAX_LINK_LEN: usize = 2048;
/// Payment ids.
const PAYMENT_ID_LEN: std::ops::RangeInclusive<usize> = 4..=64;
/// Bill ids.
const BILL_ID_LEN: std::ops::RangeInclusive<usize> = 1..=64;

/// Parses `text` as a portal deep link. `portal_host` is the host whose `https://…/app/…` links
/// the build claims (none on desktop builds without one).
pub fn parse(text: &str, portal_host: Option<&str>) -> Result<DeepLink, CoreError> {
    parse_link(text, portal_host).map_err(CoreError::InvalidLink)
}

/// What a person pasted into the app: a whole portal link, or just an invitation code (the
/// fallback when a phone drops the link the app was opened with, tao#1248).
pub fn parse_pasted(text: &str, portal_host: Option<&str>) -> Result<DeepLink, CoreError> {
    let text = text.trim();
    if text.contains(':') {
        return parse(text, portal_host);
    }
    if is_token_shaped(text, &ONE_TIME_CODE_LEN) {
        Ok(DeepLink::Invite {
            code: text.to_owned(),
        })
    } else {
        Err(CoreError::InvalidLink(LinkRejection::NotACode))
    }
}

fn parse_link(text: &str, portal_host: Option<&str>) -> Result<DeepLink, LinkRejection> {
    if text.len() > MAX_LINK_LEN {
        return Err(LinkRejection::TooLong);
    }
    let url = Url::parse(text.trim()).map_err(|_| LinkRejection::Malformed)?;
    let action = action_of(&url, portal_host)?;
    if !url.username().is_empty()
        || url.password().is_some()
        || url.port().is_some()
        || url.fragment().is_some()
    {
        return Err(LinkRejection::UnexpectedPart);
    }
    match action.as_str() {
        INVITE => Ok(DeepLink::Invite {
            code: only_parameter(&url, "code", &ONE_TIME_CODE_LEN)?,
        }),
        SIGN_IN => Ok(DeepLink::SignIn {
            code: only_parameter(&url, "code", &ONE_TIME_CODE_LEN)?,
        }),
        PAYMENT_RETURN => Ok(DeepLink::PaymentReturn {
            payment: only_parameter(&url, "payment", &PAYMENT_ID_LEN)?,
        }),
        BILL => Ok(DeepLink::Bill {
            id: only_parameter(&url, "id", &BILL_ID_LEN)?,
        }),
        PAYMENT => Ok(DeepLink::Payment {
            id: only_parameter(&url, "id", &PAYMENT_ID_LEN)?,
        }),
        AUTOPAY_RETURN => Ok(DeepLink::AutopayReturn {
            account: only_parameter(&url, "account", &BILL_ID_LEN)?,
        }),
        _ => Err(LinkRejection::UnknownAction),
    }
}

/// The action a link names: `invite`, `signin`, `payment/return`, or something unknown.
fn action_of(url: &Url, portal_host: Option<&str>) -> Result<String, LinkRejection> {
    match url.scheme() {
        SCHEME => {
            let host = url.host_str().unwrap_or_default();
            let path = url.path().trim_end_matches('/');
            Ok(format!("{host}{path}"))
        }
        "https" => {
            let claimed = portal_host.is_some_and(|portal| {
                url.host_str()
                    .is_some_and(|host| host.eq_ignore_ascii_case(portal))
            });
            if !claimed {
                return Err(LinkRejection::Foreign);
            }
            match url.path().trim_end_matches('/').strip_prefix(WEB_PREFIX) {
                Some(action) => Ok(action.to_owned()),
                None => Err(LinkRejection::UnknownAction),
            }
        }
        _ => Err(LinkRejection::Foreign),
    }
}

/// The value of the link's single parameter `name`, checked for charset and length.
fn only_parameter(
    url: &Url,
    name: &str,
    length: &std::ops::RangeInclusive<usize>,
) -> Result<String, LinkRejection> {
    let mut pairs = url.query_pairs();
    let Some((key, value)) = pairs.next() else {
        return Err(LinkRejection::MissingParameter);
    };
    if key != name || pairs.next().is_some() {
        return Err(LinkRejection::UnexpectedPart);
    }
    if value.is_empty() {
        return Err(LinkRejection::MissingParameter);
    }
    if !is_token_shaped(&value, length) {
        return Err(LinkRejection::InvalidParameter);
    }
    Ok(value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_api::ErrorCode;
    use proptest::prelude::*;

    const HOST: Option<&str> = Some("portal.enerpro.example");
    const CODE: &str = "Zk3q9X_v-2mNpL8sQw4RtA";

    fn rejection(text: &str) -> ErrorCode {
        match parse_link(text, HOST) {
            Ok(link) => panic!("{text} was accepted as {link:?}"),
            Err(rejection) => rejection.code(),
        }
    }

    #[test]
    fn pasted_links_and_bare_invitation_codes_are_accepted_and_the_rest_explained() {
        let invite = DeepLink::Invite { code: CODE.into() };
        assert_eq!(parse_pasted(&format!("  {CODE}\n"), HOST).unwrap(), invite);
        assert_eq!(
            parse_pasted(
                &format!("https://portal.enerpro.example/app/invite?code={CODE}"),
                HOST
            )
            .unwrap(),
            invite
        );
        let rejected = |text: &str| match parse_pasted(text, HOST) {
            Err(error) => error.code(),
            Ok(accepted) => panic!("{text:?} was accepted as {accepted:?}"),
        };
        assert_eq!(rejected(""), ErrorCode::LinkNotACode);
        assert_eq!(rejected("hello there"), ErrorCode::LinkNotACode);
        assert_eq!(rejected("short"), ErrorCode::LinkNotACode);
        assert_eq!(rejected(&"x".repeat(500)), ErrorCode::LinkNotACode);
        assert_eq!(
            rejected("https://evil.example/app/invite?code=abc"),
            ErrorCode::LinkForeign
        );
    }

    #[test]
    fn every_accepted_form_parses_to_its_action() {
        let invite = DeepLink::Invite { code: CODE.into() };
        let sign_in = DeepLink::SignIn { code: CODE.into() };
        let payment = DeepLink::PaymentReturn {
            payment: "pay_01HZX3".into(),
        };
        let cases = [
            (format!("com.enerpro.portal://invite?code={CODE}"), &invite),
            (format!("com.enerpro.portal://invite/?code={CODE}"), &invite),
            (format!("com.enerpro.portal://signin?code={CODE}"), &sign_in),
            (
                "com.enerpro.portal://payment/return?payment=pay_01HZX3".into(),
                &payment,
            ),
            (
                format!("https://portal.enerpro.example/app/invite?code={CODE}"),
                &invite,
            ),
            (
                format!("https://PORTAL.enerpro.example/app/signin?code={CODE}"),
                &sign_in,
            ),
            (
                "https://portal.enerpro.example/app/payment/return?payment=pay_01HZX3".into(),
                &payment,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(&parse_link(&text, HOST).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn malformed_and_foreign_links_are_rejected_with_their_reason() {
        let long = format!("com.enerpro.portal://invite?code={}", "A".repeat(10_000));
        let cases: &[(&str, &str)] = &[
            ("com.enerpro.portal://nope", "link_unknown"),
            ("com.enerpro.portal://", "link_unknown"),
            ("com.enerpro.portal://invite?code=", "link_missing_code"),
            ("com.enerpro.portal://invite", "link_missing_code"),
            (
                "com.enerpro.portal://invite?code=short",
                "link_invalid_code",
            ),
            (
                "com.enerpro.portal://invite?code=has%20space%20inside%20it",
                "link_invalid_code",
            ),
            (
                "com.enerpro.portal://invite?code=%3Cscript%3Ealert(1)%3C/script%3E",
                "link_invalid_code",
            ),
            (
                "com.enerpro.portal://invite?token=Zk3q9X_v-2mNpL8sQw4RtA",
                "link_unexpected_part",
            ),
            (
                "com.enerpro.portal://invite?code=Zk3q9X_v-2mNpL8sQw4RtA&backend=https://evil.example",
                "link_unexpected_part",
            ),
            (
                "com.enerpro.portal://invite?code=Zk3q9X_v-2mNpL8sQw4RtA&code=Zk3q9X_v-2mNpL8sQw4RtA",
                "link_unexpected_part",
            ),
            (
                "com.enerpro.portal://invite?code=Zk3q9X_v-2mNpL8sQw4RtA#x",
                "link_unexpected_part",
            ),
            (
                "com.enerpro.portal://user:pw@invite?code=Zk3q9X_v-2mNpL8sQw4RtA",
                "link_unexpected_part",
            ),
            (
                "com.enerpro.portal://invite:8080?code=Zk3q9X_v-2mNpL8sQw4RtA",
                "link_unexpected_part",
            ),
            (
                "com.enerpro.portal://payments?id=pay_01HZX3",
                "link_unknown",
            ),
            (
                "com.enerpro.portal://payment?payment=pay_01HZX3",
                "link_unexpected_part",
            ),
            (
                "com.enerpro.portal://bill?id=../../etc",
                "link_invalid_code",
            ),
            ("com.enerpro.portal://bill?id=", "link_missing_code"),
            (
                "com.enerpro.portal://payment/return?payment=../../etc",
                "link_invalid_code",
            ),
            ("http://example.com", "link_foreign"),
            (
                "https://example.com/app/invite?code=Zk3q9X_v-2mNpL8sQw4RtA",
                "link_foreign",
            ),
            (
                "http://portal.enerpro.example/app/invite?code=Zk3q9X_v-2mNpL8sQw4RtA",
                "link_foreign",
            ),
            (
                "https://portal.enerpro.example/invite?code=Zk3q9X_v-2mNpL8sQw4RtA",
                "link_unknown",
            ),
            (
                "https://portal.enerpro.example/app/nope?code=Zk3q9X_v-2mNpL8sQw4RtA",
                "link_unknown",
            ),
            ("javascript:alert(1)", "link_foreign"),
            ("file:///etc/passwd", "link_foreign"),
            ("not a link at all", "link_malformed"),
            ("", "link_malformed"),
            (&long, "link_too_long"),
        ];
        for (text, code) in cases {
            assert_eq!(rejection(text).as_str(), *code, "{text}");
        }
    }

    #[test]
    fn claimed_https_links_need_a_configured_host() {
        let text = format!("https://portal.enerpro.example/app/invite?code={CODE}");
        assert_eq!(parse_link(&text, None).unwrap_err(), LinkRejection::Foreign);
    }

    #[test]
    fn a_refused_link_reaches_the_customer_as_the_catalog_message_only() {
        let error = parse("http://example.com", HOST).unwrap_err();
        let body = error.to_body();
        assert_eq!(body.code, ErrorCode::LinkForeign);
        assert!(body.message.contains("does not belong"), "{body:?}");
        assert!(!body.message.contains("example.com"), "{body:?}");
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_and_accepted_codes_are_clean(text in ".{0,3000}") {
            if let Ok(link) = parse_link(&text, HOST) {
                let value = match link {
                    DeepLink::Invite { code } | DeepLink::SignIn { code } => code,
                    DeepLink::PaymentReturn { payment } => payment,
                    DeepLink::Bill { id } | DeepLink::Payment { id } => id,
                    DeepLink::AutopayReturn { account } => account,
                };
                prop_assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
                prop_assert!(value.len() <= 128);
            }
        }

        #[test]
        fn any_well_formed_code_round_trips(code in "[A-Za-z0-9_-]{16,128}") {
            let text = format!("com.enerpro.portal://invite?code={code}");
            prop_assert_eq!(parse_link(&text, HOST).unwrap(), DeepLink::Invite { code });
        }

        #[test]
        fn links_with_extra_parameters_never_parse(code in "[A-Za-z0-9_-]{16,64}", key in "[a-z]{1,10}", value in "[a-z:/.]{0,30}") {
            let text = format!("com.enerpro.portal://invite?code={code}&{key}={value}");
            prop_assert!(parse_link(&text, HOST).is_err());
        }
    }
}

#[cfg(test)]
mod round_trip {
    use super::*;

    #[test]
    fn every_link_the_server_builds_parses_back_to_itself() {
        let code = "Zk3q9X_v-2mNpL8sQw4RtA".to_owned();
        for link in [
            DeepLink::Invite { code: code.clone() },
            DeepLink::SignIn { code },
            DeepLink::PaymentReturn {
                payment: "pay_f725".into(),
            },
            DeepLink::Bill {
                id: "bill_100200300_2026_10".into(),
            },
            DeepLink::Payment {
                id: "pay_f725".into(),
            },
            DeepLink::AutopayReturn {
                account: "100-200-300".into(),
            },
        ] {
            let host = "portal.enerpro.example";
            assert_eq!(parse(&link.app_url(), None).unwrap(), link);
            assert_eq!(parse(&link.web_url(host), Some(host)).unwrap(), link);
        }
    }
}
