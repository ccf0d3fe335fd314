//! One error type for pages and API. A handler returns [`AppError`]; the response carries an
//! [`ErrorBody`] extension, and the `render_errors` middleware turns it into JSON under
//! `/api/` or into an error page elsewhere, in the user's language.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mimamori_domain::i18n::Lang;
use mimamori_domain::Issues;
use mimamori_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
}

/// The body every error is rendered from: a stable code decides the status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message_ja: String,
    pub message_en: String,
    pub fields: Vec<FieldError>,
}

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl AppError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        ja: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            status,
            body: ErrorBody {
                code,
                message_ja: ja.into(),
                message_en: en.into(),
                fields: Vec::new(),
            },
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "サインインしてください。",
            "Sign in first.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "この操作を行う権限がありません。必要な場合は管理者に権限を依頼してください。",
            "You do not have permission for this. Ask an administrator for access if you need it.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "ページまたはデータが見つかりません。URL を確認してください。",
            "Not found. Check the address.",
        )
    }

    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてもう一度送信してください。",
            "The form expired or the request was not sent from this site. Reload the page and submit again.",
        )
    }

    pub fn bad_request(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", ja, en)
    }

    pub fn invalid(issues: &Issues) -> Self {
        let fields = issues
            .0
            .iter()
            .map(|issue| FieldError {
                field: issue.field.to_string(),
                code: issue.code.to_string(),
                message_ja: issue.message(Lang::Ja),
                message_en: issue.message(Lang::En),
            })
            .collect();
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "入力内容に誤りがあります。各項目のメッセージを確認してください。",
            "Some fields are invalid; see the message for each field.",
        );
        error.body.fields = fields;
        error
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "サーバー内部でエラーが発生しました。しばらくしてから再試行し、続く場合は管理者にログを確認してもらってください。",
            "Internal server error. Try again later; if it persists, ask the administrator to check the log.",
        )
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::not_found(),
            StoreError::Conflict => AppError::new(
                StatusCode::CONFLICT,
                "conflict",
                "同じ値が既に登録されています。別の値を指定してください。",
                "This already exists; use another value.",
            ),
            StoreError::Invalid(issues) => AppError::invalid(&issues),
            StoreError::Refused(message) => {
                let (ja, en) = bilingual(&message);
                AppError::new(
                    StatusCode::CONFLICT,
                    "refused",
                    ja.to_string(),
                    en.to_string(),
                )
            }
            StoreError::Locked => AppError::new(
                StatusCode::CONFLICT,
                "locked",
                "承認済みのため変更できません。安全管理責任者が承認を解除すると変更できます。",
                "Signed off and locked. The security officer can unlock it to allow changes.",
            ),
            StoreError::TooLarge(limit) => AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("ファイルが大きすぎます。{limit} MB 以下のファイルにしてください。"),
                format!("The file is too large; the limit is {limit} MB."),
            ),
            other => AppError::internal(other),
        }
    }
}

impl From<Issues> for AppError {
    fn from(issues: Issues) -> Self {
        AppError::invalid(&issues)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self.body);
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A message of the lower layers, written 「日本語 / English」, as its two languages (the
/// whole text for both when it is not written so).
pub fn bilingual(text: &str) -> (&str, &str) {
    text.split_once(" / ").unwrap_or((text, text))
}
