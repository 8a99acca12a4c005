//! Invitations, passwordless sign-in (PKCE S256) and sessions with rotating refresh tokens.

use crate::clock::rfc3339;
use crate::error::{ApiResult, ServerError};
use crate::limits::{
    Attempt, FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS, SIGNINS_PER_ADDRESS, SIGNINS_PER_EMAIL,
};
use crate::mail;
use crate::secrets::{mask_email, pkce_challenge};
use crate::state::{Admin, ApiJson, AppLanguage, AppState, ClientAddress};
use crate::store::AccessTokenState;
use crate::store::{
    ACCESS_TTL, InvitationRecord, IssuedTokens, MAX_POSTCODE_FAILURES, RefreshOutcome, Store,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_api::ErrorCode;
use portal_api::links::DeepLink;
use portal_api::v1::{
    CreateInvitationRequest, ErrorBody, ExchangeRequest, InvitationCreated, InvitationPreview,
    ONE_TIME_CODE_LEN, PreviewInvitationRequest, RedeemInvitationRequest, RefreshRequest,
    SessionTokens, SignInAccepted, SignInRequest, SignOutRequest, is_token_shaped,
};
use std::net::IpAddr;

/// How long an invitation works (seconds): 7 days.
pub const INVITATION_TTL: i64 = 7 * 24 * 3600;
/// How long a sign-in link works (seconds): 15 minutes.
pub const SIGNIN_TTL: i64 = 15 * 60;
/// The answer to every sign-in request, whether or not the email exists.
pub const SIGNIN_ACCEPTED: &str = "If that email belongs to an Enerpro account, a sign-in link is on its way. Open it on this device.";

const INVITATION_INVALID: &str = "This invitation link is not valid. Check that you opened the whole link, or ask Enerpro for a new invitation.";

impl From<IssuedTokens> for SessionTokens {
    fn from(tokens: IssuedTokens) -> Self {
        Self {
            access_token: tokens.access_token,
            expires_in: ACCESS_TTL.unsigned_abs(),
            refresh_token: tokens.refresh_token,
        }
    }
}

/// Creates an invitation for the account and its email on file, writes the invitation mail to
/// the outbox, and returns the links. Shared by the admin API and the `invite` command.
pub fn create_invitation(
    store: &Store,
    request: &CreateInvitationRequest,
    portal_host: &str,
    now: i64,
) -> ApiResult<InvitationCreated> {
    let customer = store
        .customer_by_account(request.account_number.trim())?
        .ok_or(ServerError::NotFound {
            what: "The account",
        })?;
    // The email on file, or a person support staff gave access to the account.
    let email = request.email.trim();
    if !store.holds(email, customer.id)? {
        return Err(ServerError::bad_request(
            ErrorCode::EmailNotOnFile,
            "That email is not the one on file for this account, nor one given access to it.",
        ));
    }
    let code = store.create_invitation(customer.id, email, now, INVITATION_TTL)?;
    let created = InvitationCreated {
        app_link: DeepLink::Invite { code: code.clone() }.app_url(),
        web_link: DeepLink::Invite { code: code.clone() }.web_url(portal_host),
        expires_at: rfc3339(now + INVITATION_TTL),
    };
    let to = mail::Recipient {
        email,
        name: &customer.customer.name,
        language: customer.language,
    };
    let mail = mail::invitation(to, &code, portal_host, &created.expires_at);
    store.send_mail(&mail, now)?;
    Ok(created)
}

/// `POST /v1/admin/invitations`
#[utoipa::path(post, path = "/v1/admin/invitations", tag = "admin",
    request_body = CreateInvitationRequest,
    responses((status = 201, body = InvitationCreated), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("admin_key" = [])))]
pub async fn admin_create_invitation(
    _admin: Admin,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateInvitationRequest>,
) -> ApiResult<(StatusCode, Json<InvitationCreated>)> {
    let now = state.now();
    let host = state.settings.portal_host.clone();
    let created = state
        .db(move |store| create_invitation(store, &request, &host, now))
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Counts an attempt at `what` from `client`, if it is under the limit; forgive it when the
/// attempt succeeds.
fn attempt_from(state: &AppState, what: &str, client: IpAddr, now: i64) -> ApiResult<Attempt> {
    let key = format!("{what}:{client}");
    state.limiter.attempt(&[(&key, FAILURES_PER_ADDRESS)], now)
}

/// `POST /v1/invitations/preview`: who the invitation is for (the code in the body, never in a
/// path that access logs keep).
#[utoipa::path(post, path = "/v1/invitations/preview", tag = "auth",
    request_body = PreviewInvitationRequest,
    responses((status = 200, body = InvitationPreview), (status = 404, body = ErrorBody),
              (status = 410, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn preview_invitation(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(PreviewInvitationRequest { code }): ApiJson<PreviewInvitationRequest>,
) -> ApiResult<Json<InvitationPreview>> {
    let now = state.now();
    let attempt = attempt_from(&state, "invite-address", client, now)?;
    let limiter = state.limiter.clone();
    state
        .db(move |store| {
            let invitation = find_invitation(store, &code).map_err(|error| match error {
                ServerError::BadRequest { .. } => ServerError::NotFound {
                    what: "The invitation",
                },
                other => other,
            })?;
            usable(&invitation, now)?;
            let customer =
                store
                    .customer(invitation.customer_id)?
                    .ok_or(ServerError::NotFound {
                        what: "The invitation",
                    })?;
            limiter.forgive(attempt);
            Ok(Json(InvitationPreview {
                masked_email: mask_email(&invitation.email),
                account_name: customer.customer.name,
                expires_at: rfc3339(invitation.expires_at),
            }))
        })
        .await
}

fn invitation_used() -> ServerError {
    ServerError::Gone {
        code: ErrorCode::InvitationUsed,
        message: "This invitation has already been used. If it was you, sign in with your email instead; otherwise ask Enerpro for a new invitation.",
    }
}

/// The invitation with this code (an unknown or malformed one stays a counted failed attempt).
fn find_invitation(store: &Store, code: &str) -> ApiResult<InvitationRecord> {
    let found = if is_token_shaped(code, &ONE_TIME_CODE_LEN) {
        store.invitation(code)?
    } else {
        None
    };
    found.ok_or_else(|| ServerError::bad_request(ErrorCode::InvitationInvalid, INVITATION_INVALID))
}

fn usable(invitation: &InvitationRecord, now: i64) -> ApiResult<()> {
    if invitation.used_at.is_some() {
        return Err(invitation_used());
    }
    if invitation.failed_postcodes >= MAX_POSTCODE_FAILURES {
        return Err(invitation_locked());
    }
    if invitation.expires_at <= now {
        return Err(ServerError::Gone {
            code: ErrorCode::InvitationExpired,
            message: "This invitation has expired. Ask Enerpro to send you a new one.",
        });
    }
    Ok(())
}

fn invitation_locked() -> ServerError {
    ServerError::Gone {
        code: ErrorCode::InvitationLocked,
        message: "This invitation was locked after too many wrong postcodes. Ask Enerpro for a new invitation.",
    }
}

/// Postcodes compare without spaces and case, in constant time: their SHA-256 digests are
/// compared with `subtle`, so neither the content nor the length of the one on file leaks
/// through the time an answer takes.
fn same_postcode(typed: &str, on_file: &str) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    let digest = |s: &str| {
        let normal: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect();
        Sha256::digest(normal.as_bytes())
    };
    digest(typed).ct_eq(&digest(on_file)).into()
}

/// `POST /v1/invitations/redeem`
#[utoipa::path(post, path = "/v1/invitations/redeem", tag = "auth",
    request_body = RedeemInvitationRequest,
    params(("Accept-Language" = Option<String>, Header, description = "The app's language (en, es): kept as the customer's, for their mails and the checkout")),
    responses((status = 200, body = SessionTokens), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 410, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn redeem_invitation(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    AppLanguage(language): AppLanguage,
    headers: axum::http::HeaderMap,
    ApiJson(request): ApiJson<RedeemInvitationRequest>,
) -> ApiResult<Json<SessionTokens>> {
    let now = state.now();
    let attempt = attempt_from(&state, "invite-address", client, now)?;
    let limiter = state.limiter.clone();
    // A device already signed in says who it is: an invitation for an account that person
    // already holds adds nothing.
    let signed_in = crate::state::bearer(&headers).map(str::to_owned);
    state
        .db(move |store| {
            let invitation = find_invitation(store, &request.code)?;
            usable(&invitation, now)?;
            // Opened where someone is signed in, the account joins that person's sign-in;
            // elsewhere the invitation signs in the person it was sent to.
            let signed_in = match signed_in {
                Some(token) => match store.access_token_state(&token, now)? {
                    AccessTokenState::Valid { email, .. } => Some(email),
                    _ => None,
                },
                None => None,
            };
            if let Some(person) = &signed_in
                && store.holds(person, invitation.customer_id)?
            {
                return Err(ServerError::Conflict {
                    code: ErrorCode::AccountAlreadyAdded,
                    message: "This account is already on this sign-in.".to_owned(),
                });
            }
            let person = signed_in.unwrap_or_else(|| invitation.email.clone());
            let account_key = format!("account:{}", invitation.customer_id);
            let on_account = limiter.attempt(&[(&account_key, FAILURES_PER_ACCOUNT)], now)?;
            let customer =
                store
                    .customer(invitation.customer_id)?
                    .ok_or(ServerError::NotFound {
                        what: "The account",
                    })?;
            if !same_postcode(&request.postcode, &customer.postcode) {
                let failures = store.record_wrong_postcode(&request.code)?;
                return Err(match MAX_POSTCODE_FAILURES.checked_sub(failures) {
                    Some(left) if left > 0 => ServerError::WrongPostcode {
                        attempts_left: left,
                    },
                    _ => invitation_locked(),
                });
            }
            if !store.holds(&person, customer.id)? {
                store.add_holder(customer.id, &person, now)?;
            }
            let tokens = store
                .redeem_invitation(&request.code, customer.id, &person, now)?
                .ok_or_else(invitation_used)?;
            // From now on the customer's mails speak the app's language.
            if let Some(language) = language {
                store.set_customer_language(customer.id, language)?;
            }
            limiter.forgive(attempt);
            limiter.forgive(on_account);
            Ok(Json(tokens.into()))
        })
        .await
}

/// Whether `email` looks like an email address.
pub fn valid_email(email: &str) -> bool {
    let email = email.trim();
    email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace)
}

fn valid_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

/// `POST /v1/auth/signin`: always 202; a link goes to the outbox only for a known email, after
/// the answer.
#[utoipa::path(post, path = "/v1/auth/signin", tag = "auth",
    request_body = SignInRequest,
    params(("Accept-Language" = Option<String>, Header, description = "The app's language (en, es): the sign-in mail's")),
    responses((status = 202, body = SignInAccepted), (status = 400, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn request_signin(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    AppLanguage(language): AppLanguage,
    ApiJson(request): ApiJson<SignInRequest>,
) -> ApiResult<(StatusCode, Json<SignInAccepted>)> {
    if !valid_email(&request.email) {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidEmail,
            "Enter the email address of your Enerpro account.",
        ));
    }
    if request.code_challenge_method != "S256"
        || request.code_challenge.len() != 43
        || !valid_pkce_value(&request.code_challenge)
    {
        return Err(ServerError::bad_request(
            ErrorCode::InvalidCodeChallenge,
            "The sign-in request needs a PKCE S256 code challenge.",
        ));
    }
    let now = state.now();
    let address_key = format!("signin-address:{client}");
    let email_key = format!("signin-email:{}", request.email.trim().to_lowercase());
    // Every request counts, whether or not the email exists (nothing to forgive).
    let _counted = state.limiter.attempt(
        &[
            (&address_key, SIGNINS_PER_ADDRESS),
            (&email_key, SIGNINS_PER_EMAIL),
        ],
        now,
    )?;
    // The answer does not wait for the lookup or the mail: it leaves after the same work for
    // every email, so its timing cannot tell which emails have an account.
    tokio::spawn(send_signin_link(state.clone(), request, language, now));
    Ok((
        StatusCode::ACCEPTED,
        Json(SignInAccepted {
            message: SIGNIN_ACCEPTED.to_owned(),
        }),
    ))
}

/// Puts a sign-in link in the outbox if the email has an account (after the answer was sent).
async fn send_signin_link(
    state: AppState,
    request: SignInRequest,
    language: Option<portal_api::Language>,
    now: i64,
) {
    let host = state.settings.portal_host.clone();
    let sent = state
        .db(move |store| {
            let email = request.email.trim();
            if let Some(customer) = store.held_accounts(email)?.into_iter().next() {
                let code = store.create_signin_code(
                    customer.id,
                    email,
                    &request.code_challenge,
                    now,
                    SIGNIN_TTL,
                )?;
                // In the language of the app that asked, else the one the customer reads.
                let to = mail::Recipient {
                    email,
                    name: &customer.customer.name,
                    language: language.unwrap_or(customer.language),
                };
                let mail = mail::sign_in(to, &code, &host);
                store.send_mail(&mail, now)?;
            }
            Ok(())
        })
        .await;
    if let Err(error) = sent {
        tracing::error!("a sign-in link could not be sent: {error}");
    }
}

/// `POST /v1/auth/exchange`: the sign-in link's code plus the PKCE verifier.
#[utoipa::path(post, path = "/v1/auth/exchange", tag = "auth",
    request_body = ExchangeRequest,
    params(("Accept-Language" = Option<String>, Header, description = "The app's language (en, es): kept as the customer's, for their mails and the checkout")),
    responses((status = 200, body = SessionTokens), (status = 400, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn exchange_signin(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    AppLanguage(language): AppLanguage,
    ApiJson(request): ApiJson<ExchangeRequest>,
) -> ApiResult<Json<SessionTokens>> {
    let now = state.now();
    let attempt = attempt_from(&state, "exchange-address", client, now)?;
    let limiter = state.limiter.clone();
    let invalid = || {
        ServerError::bad_request(
            ErrorCode::InvalidSigninCode,
            "This sign-in link is not valid or has expired. Ask for a new one on the device you want to sign in on.",
        )
    };
    state
        .db(move |store| {
            let found = is_token_shaped(&request.code, &ONE_TIME_CODE_LEN)
                .then(|| store.signin_code(&request.code))
                .transpose()?
                .flatten();
            let Some(record) = found else {
                return Err(invalid());
            };
            let account_key = format!("account:{}", record.customer_id);
            let on_account = limiter.attempt(&[(&account_key, FAILURES_PER_ACCOUNT)], now)?;
            let verifier_matches = valid_pkce_value(&request.code_verifier)
                && pkce_challenge(&request.code_verifier) == record.code_challenge;
            if record.used_at.is_some() || record.expires_at <= now || !verifier_matches {
                return Err(invalid());
            }
            let tokens = store
                .redeem_signin_code(&request.code, record.customer_id, &record.email, now)?
                .ok_or_else(invalid)?;
            if let Some(language) = language {
                store.set_customer_language(record.customer_id, language)?;
            }
            limiter.forgive(attempt);
            limiter.forgive(on_account);
            Ok(Json(tokens.into()))
        })
        .await
}

/// `POST /v1/auth/refresh`: rotate; a reused token revokes the session family.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, body = SessionTokens), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> ApiResult<Json<SessionTokens>> {
    let now = state.now();
    state
        .db(move |store| match store.refresh(&request.refresh_token, now)? {
            RefreshOutcome::Rotated(tokens) => Ok(Json(tokens.into())),
            RefreshOutcome::Replayed => Err(ServerError::Unauthorized {
                code: ErrorCode::RefreshTokenReused,
                message: "For your security this session was ended, because its sign-in was used twice. Sign in again.",
            }),
            RefreshOutcome::Invalid => Err(ServerError::Unauthorized {
                code: ErrorCode::InvalidRefreshToken,
                message: "Your session has ended. Sign in again.",
            }),
        })
        .await
}

/// `POST /v1/auth/signout`: revoke the session family. Always 204.
#[utoipa::path(post, path = "/v1/auth/signout", tag = "auth",
    request_body = SignOutRequest, responses((status = 204)))]
pub async fn sign_out(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SignOutRequest>,
) -> ApiResult<StatusCode> {
    let now = state.now();
    state
        .db(move |store| store.revoke_family_of(&request.refresh_token, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_compare_without_spaces_or_case() {
        assert!(same_postcode("sw1a 1aa", "SW1A1AA"));
        assert!(!same_postcode("62701", "62702"));
    }

    #[test]
    fn emails_and_pkce_values_are_checked() {
        assert!(valid_email("jane.doe@example.com"));
        for bad in [
            "",
            "jane",
            "@example.com",
            "jane@",
            "jane@example",
            "ja ne@example.com",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert!(valid_pkce_value(&"a".repeat(43)));
        assert!(!valid_pkce_value(&"a".repeat(42)));
        assert!(!valid_pkce_value(&format!("{}!", "a".repeat(43))));
    }
}
