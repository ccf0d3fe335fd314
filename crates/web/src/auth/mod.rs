//! Who is asking (`authenticate`) and whether they may (`authorize`).

pub mod account;
pub mod cache;
pub mod enrol;
pub mod pages;
pub mod password;
pub mod setup;
pub mod throttle;
pub mod totp;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::RequestExt;
use chrono::Duration;
use mimamori_domain::access::{Action, Permission, Role};
use mimamori_domain::clock::{format_timestamp, parse_timestamp};
use mimamori_domain::i18n::Lang;
use mimamori_store::facilities::Facility;
use mimamori_store::users::{Membership, User};
use mimamori_store::StoreError;

use crate::error::AppError;
use crate::{cookies, secrets, AppState};
use cache::{SessionRecord, TokenRecord};

/// How far a session has come through sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Complete,
    /// Password accepted; the TOTP code is still due.
    NeedsSecondFactor,
    /// Signed in, but a second factor must be enrolled before anything else.
    NeedsEnrolment,
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub memberships: Vec<Membership>,
    /// The session's hashed id; `None` for API tokens.
    pub session: Option<String>,
    pub stage: Stage,
}

impl Principal {
    /// Roles the user holds for a facility: its own memberships and organisation-wide ones.
    pub fn roles_for(&self, facility: &Facility) -> Vec<Role> {
        self.memberships
            .iter()
            .filter(|m| {
                m.facility_id == Some(facility.id)
                    || (m.facility_id.is_none() && m.organisation_id == facility.organisation_id)
            })
            .map(|m| m.role)
            .collect()
    }

    /// The organisation in which the user may perform an organisation-wide action.
    pub fn organisation_for(&self, action: Action) -> Option<i64> {
        self.memberships
            .iter()
            .find(|m| m.facility_id.is_none() && m.role.allows(action))
            .map(|m| m.organisation_id)
    }

    /// The actor recorded in the audit log for this user's changes.
    pub fn actor(&self) -> mimamori_store::Actor {
        mimamori_store::Actor::user(self.user.id, self.user.email.clone())
    }

    pub fn can(&self, facility: &Facility, action: Action) -> bool {
        self.roles_for(facility).iter().any(|r| r.allows(action))
    }
}

/// Extractor for handlers behind a `SignedIn`, `Facility` or `Organisation` rule: the
/// principal that `authorize` let through.
pub struct SignedIn(pub Principal);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Option<Principal>>()
            .cloned()
            .flatten()
            .filter(|p| p.stage == Stage::Complete)
            .map(SignedIn)
            .ok_or_else(AppError::unauthenticated)
    }
}

/// The facility named in the path, resolved and checked by `authorize`.
#[derive(Debug, Clone)]
pub struct FacilityCtx {
    pub facility: Facility,
    pub roles: Vec<Role>,
}

/// The language of the request: the user's preference, else the browser's, Japanese by default.
pub fn request_lang(headers: &HeaderMap, principal: Option<&Principal>) -> Lang {
    if let Some(p) = principal {
        return p.user.lang;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().starts_with("en") {
        Lang::En
    } else {
        Lang::Ja
    }
}

/// Resolves the principal from a Bearer token (API only) or the session cookie, and puts
/// `Option<Principal>` and the request's `Lang` into the request's extensions.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let principal = match resolve(&state, request.headers(), request.uri().path(), writes).await {
        Ok(principal) => principal,
        Err(error) => return error.into_response(),
    };
    let lang = request_lang(request.headers(), principal.as_ref());
    request.extensions_mut().insert(principal);
    request.extensions_mut().insert(lang);
    let mut response = next.run(request).await;
    response.extensions_mut().insert(lang);
    response
}

async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    writes: bool,
) -> Result<Option<Principal>, AppError> {
    let today = state.store.clock().today_jst().to_string();
    if let Some(token) = bearer(headers) {
        if !path.starts_with("/api/") {
            return Err(AppError::bad_request(
                "API トークンは /api/v1 でのみ使えます。",
                "API tokens are accepted under /api/v1 only.",
            ));
        }
        let TokenRecord {
            user,
            memberships,
            read_only,
        } = token_record(state, &token, &today).await?;
        if read_only && writes {
            return Err(AppError::new(
                axum::http::StatusCode::FORBIDDEN,
                "token_read_only",
                "この API トークンは読み取り専用です。書き込みには書き込みのできるトークンを作成してください。",
                "This API token is read-only: make a token that may write for this request.",
            ));
        }
        return Ok(Some(Principal {
            user,
            memberships,
            session: None,
            stage: Stage::Complete,
        }));
    }
    let session_cookie = cookies::name(cookies::SESSION, state.config.secure_cookies);
    let Some(cookie) = cookies::get(headers, &session_cookie) else {
        return Ok(None);
    };
    let id_hash = secrets::sha256_hex(&cookie);
    let Some(SessionRecord {
        session,
        user,
        memberships,
    }) = session_record(state, &id_hash, &today).await?
    else {
        return Ok(None);
    };
    let now = state.store.clock().now();
    let idle = parse_timestamp(&session.last_seen_at)
        .is_none_or(|at| now - at > Duration::minutes(state.config.session_idle_minutes));
    let expired = parse_timestamp(&session.created_at)
        .is_none_or(|at| now - at > Duration::hours(state.config.session_absolute_hours));
    if idle || expired {
        state.store.delete_session(&id_hash).await?;
        return Ok(None);
    }
    if !user.active {
        state.store.delete_session(&id_hash).await?;
        return Ok(None);
    }
    // Writing on every request would serialise reads on SQLite; a minute's precision is enough.
    if parse_timestamp(&session.last_seen_at).is_some_and(|at| now - at > Duration::seconds(60)) {
        state.store.touch_session(&id_hash).await?;
    }
    let stage = if user.totp_enabled && !session.second_factor_done {
        Stage::NeedsSecondFactor
    } else if !user.totp_enabled && state.config.require_second_factor {
        Stage::NeedsEnrolment
    } else {
        Stage::Complete
    };
    Ok(Some(Principal {
        user,
        memberships,
        session: Some(id_hash),
        stage,
    }))
}

/// The session, its user and their memberships on `today`: kept from an earlier request while
/// nothing was written (see `cache`), else read.
async fn session_record(
    state: &AppState,
    id_hash: &str,
    today: &str,
) -> Result<Option<SessionRecord>, AppError> {
    let writes = state.store.write_count();
    if let Some(record) = state.auth_cache.session(id_hash, writes, today) {
        return Ok(Some(record));
    }
    let session = match state.store.session(id_hash).await {
        Ok(session) => session,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let user = state.store.user(session.user_id).await?;
    let memberships = state.store.memberships_of(user.id, today).await?;
    let record = SessionRecord {
        session,
        user,
        memberships,
    };
    state
        .auth_cache
        .keep_session(id_hash, writes, today, record.clone());
    Ok(Some(record))
}

/// The user of an API token and their memberships on `today`, kept like sessions (a revoked
/// token is a write, so it is refused from the next request).
async fn token_record(state: &AppState, token: &str, today: &str) -> Result<TokenRecord, AppError> {
    let token_hash = secrets::sha256_hex(token);
    let writes = state.store.write_count();
    if let Some(record) = state.auth_cache.token(&token_hash, writes, today) {
        return Ok(record);
    }
    let found = match state.store.user_by_token(&token_hash).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(AppError::unauthenticated()),
        Err(e) => return Err(e.into()),
    };
    let memberships = state.store.memberships_of(found.user.id, today).await?;
    let record = TokenRecord {
        user: found.user,
        memberships,
        read_only: found.read_only,
    };
    state
        .auth_cache
        .keep_token(&token_hash, writes, today, record.clone());
    Ok(record)
}

/// The facility of a code, kept like sessions.
async fn facility_by_code(state: &AppState, code: &str) -> Result<Facility, AppError> {
    let writes = state.store.write_count();
    if let Some(facility) = state.auth_cache.facility(code, writes) {
        return Ok(facility);
    }
    let facility = state.store.facility_by_code(code).await?;
    state
        .auth_cache
        .keep_facility(code, writes, facility.clone());
    Ok(facility)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

pub fn has_bearer(headers: &HeaderMap) -> bool {
    bearer(headers).is_some()
}

/// Applies the route's permission rule. Runs after routing, so the matched path is known.
pub async fn authorize(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    match check(&state, &mut request).await {
        Ok(()) => next.run(request).await,
        Err(response) => response,
    }
}

async fn check(state: &AppState, request: &mut Request) -> Result<(), Response> {
    let path = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let Some(permission) = state
        .rules
        .iter()
        .find(|((m, p), _)| m == request.method() && *p == path)
        .map(|(_, perm)| *perm)
    else {
        // A route without a rule is refused: fail closed.
        return Err(AppError::forbidden().into_response());
    };
    if permission == Permission::Public {
        return Ok(());
    }
    let principal = request
        .extensions()
        .get::<Option<Principal>>()
        .cloned()
        .flatten();
    let api = path.starts_with("/api/");
    let principal = match principal {
        Some(p) if p.stage == Stage::Complete => p,
        Some(p) if !api && p.stage == Stage::NeedsSecondFactor => {
            return Err(Redirect::to("/login/totp").into_response())
        }
        Some(p) if !api && p.stage == Stage::NeedsEnrolment => {
            return Err(Redirect::to("/account/totp").into_response())
        }
        _ if api => return Err(AppError::unauthenticated().into_response()),
        _ => {
            let next = request
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or("/");
            let target = format!("/login?next={}", urlencoding::encode(next));
            return Err(Redirect::to(&target).into_response());
        }
    };
    match permission {
        Permission::Public | Permission::SignedIn => Ok(()),
        Permission::Organisation(action) => {
            if principal.organisation_for(action).is_some() {
                Ok(())
            } else {
                Err(AppError::forbidden().into_response())
            }
        }
        Permission::Facility(action) => {
            let params = request
                .extract_parts::<axum::extract::RawPathParams>()
                .await
                .map_err(|_| AppError::not_found().into_response())?;
            let code = params
                .iter()
                .find(|(k, _)| *k == "code")
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            let facility = facility_by_code(state, &code)
                .await
                .map_err(IntoResponse::into_response)?;
            let roles = principal.roles_for(&facility);
            if !roles.iter().any(|r| r.allows(action)) {
                return Err(AppError::forbidden().into_response());
            }
            request
                .extensions_mut()
                .insert(FacilityCtx { facility, roles });
            Ok(())
        }
    }
}

/// Starts a session for a user whose password was accepted and sets the cookie.
pub async fn start_session(
    state: &AppState,
    user: &User,
    second_factor_done: bool,
    headers: &HeaderMap,
) -> Result<axum::http::HeaderValue, AppError> {
    let token = secrets::random_token();
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|a| a.chars().take(200).collect::<String>());
    state
        .store
        .create_session(
            &secrets::sha256_hex(&token),
            user.id,
            second_factor_done,
            agent.as_deref(),
        )
        .await?;
    // Expired sessions are removed as new ones start, so the table does not grow without bound.
    let now = state.store.clock().now();
    let idle_before = format_timestamp(now - Duration::minutes(state.config.session_idle_minutes));
    let created_before =
        format_timestamp(now - Duration::hours(state.config.session_absolute_hours));
    state
        .store
        .purge_sessions(&idle_before, &created_before)
        .await?;
    let secure = state.config.secure_cookies;
    Ok(cookies::set(
        &cookies::name(cookies::SESSION, secure),
        &token,
        secure,
        None,
    ))
}
