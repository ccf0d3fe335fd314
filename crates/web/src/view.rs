//! What every page shares: the page context (language, user, CSRF token, navigation) and the
//! field errors of a form.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use mimamori_domain::access::Action;
use mimamori_domain::i18n::Lang;
use mimamori_domain::Issues;

use crate::auth::Principal;
use crate::csrf::CsrfToken;
use crate::error::{AppError, ErrorBody};
use crate::AppState;

#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    pub user_name: Option<String>,
    pub csrf: String,
    pub can_administer: bool,
    pub can_audit: bool,
    /// Holds an organisation-wide role that may view facilities (the overview).
    pub can_overview: bool,
    /// The facility the page belongs to, if any: the navigation then leads to its areas.
    pub facility: Option<CurrentFacility>,
}

/// The facility of a facility page and the area of it the page is in.
#[derive(Debug, Clone)]
pub struct CurrentFacility {
    pub code: String,
    pub name: String,
    /// `devices`, `registers/vendors`, `checklist` … (empty on the facility's overview).
    pub area: String,
}

impl CurrentFacility {
    /// The facility switcher's link: the same area, in a facility to be chosen.
    pub fn switch_link(&self) -> String {
        format!("/choose?area={}", self.area)
    }
}

/// The area of a facility path's rest (`devices/12/edit` → `devices`,
/// `registers/vendors/3` → `registers/vendors`): the part that exists in every facility.
pub fn area_of(rest: &str) -> String {
    let mut parts = rest.split('/').filter(|p| !p.is_empty());
    match parts.next() {
        None => String::new(),
        Some("registers") => match parts.next() {
            Some(kind) => format!("registers/{kind}"),
            None => "registers".into(),
        },
        Some(first) => first.to_string(),
    }
}

impl PageCtx {
    /// Japanese or English text, by the user's language.
    pub fn t<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(ja, en)
    }

    /// A stored timestamp in Japan time.
    pub fn time(&self, stored: &str) -> String {
        mimamori_domain::clock::display_jst(stored)
    }

    /// The language, for `label(ctx.l())` calls in templates.
    pub fn l(&self) -> Lang {
        self.lang
    }

    /// Where the navigation's area leads: the current facility's area, else the area's entry
    /// (the only facility's area, or a choice of facility).
    pub fn area_link(&self, area: &str) -> String {
        match &self.facility {
            Some(f) => format!("/facilities/{}/{area}", f.code),
            None => format!("/choose?area={area}"),
        }
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = parts
            .extensions
            .get::<Option<Principal>>()
            .cloned()
            .flatten();
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let complete = principal
            .as_ref()
            .filter(|p| p.stage == crate::auth::Stage::Complete);
        Ok(PageCtx {
            lang,
            user_name: complete.map(|p| p.user.name.clone()),
            csrf,
            can_administer: complete
                .is_some_and(|p| p.organisation_for(Action::AdministerOrganisation).is_some()),
            can_audit: complete.is_some_and(|p| p.organisation_for(Action::ViewAudit).is_some()),
            can_overview: complete
                .is_some_and(|p| p.organisation_for(Action::ViewFacility).is_some()),
            facility: parts.extensions.get::<crate::auth::FacilityCtx>().map(|f| {
                let code = &f.facility.profile.code;
                let rest = parts
                    .uri
                    .path()
                    .strip_prefix(&format!("/facilities/{code}"))
                    .unwrap_or_default();
                CurrentFacility {
                    code: code.clone(),
                    name: f.facility.profile.name.clone(),
                    area: area_of(rest),
                }
            }),
        })
    }
}

/// Field-level messages of a form that failed validation.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    lang: Lang,
    issues: Issues,
}

impl FormErrors {
    pub fn new(lang: Lang, issues: Issues) -> Self {
        Self { lang, issues }
    }

    pub fn get(&self, field: &str) -> Option<String> {
        self.issues
            .for_field(field)
            .map(|issue| issue.message(self.lang))
    }

    pub fn any(&self) -> bool {
        !self.issues.is_empty()
    }
}

/// Renders a template to a response; a rendering failure becomes an internal error.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => AppError::internal(error).into_response(),
    }
}

/// Renders a form page: 422 when it shows validation messages, so scripts and tests can tell.
pub fn render_form(template: &impl Template, invalid: bool) -> Response {
    let mut response = render(template);
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: PageCtx,
    pub status: u16,
    pub primary: String,
    pub secondary: String,
    pub fields: Vec<String>,
}

impl ErrorPage {
    pub fn new(lang: Lang, status: u16, body: &ErrorBody) -> Self {
        let (primary, secondary) = match lang {
            Lang::Ja => (body.message_ja.clone(), body.message_en.clone()),
            Lang::En => (body.message_en.clone(), body.message_ja.clone()),
        };
        let fields = body
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.field, lang.pick(&f.message_ja, &f.message_en)))
            .collect();
        let ctx = PageCtx {
            lang,
            user_name: None,
            csrf: String::new(),
            can_administer: false,
            can_audit: false,
            can_overview: false,
            facility: None,
        };
        Self {
            ctx,
            status,
            primary,
            secondary,
            fields,
        }
    }

    pub fn render_html(&self) -> String {
        self.render()
            .unwrap_or_else(|_| format!("<!doctype html><title>{}</title>", self.status))
    }
}
