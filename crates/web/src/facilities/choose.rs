//! Choosing a facility for an area (台帳, チェックリスト …): the navigation's way in when the page
//! belongs to no facility, and the facility switcher, which keeps the area the user is in.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mimamori_domain::access::Action;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::error::AppResult;
use crate::view::{render, PageCtx};
use crate::AppState;

/// Facilities listed at once; more are found by searching.
const LISTED: usize = 200;

/// The entry of an area: the choice of facility for it (which goes straight on when the user
/// has one facility).
pub fn area_entry(area: &str) -> Response {
    Redirect::to(&format!("/choose?area={area}")).into_response()
}

#[derive(Debug, Deserialize, Default)]
pub struct ChooseQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    q: String,
}

/// An area is path segments of lowercase letters and hyphens: anything else is the overview,
/// so a crafted link cannot lead elsewhere.
fn clean_area(area: &str) -> String {
    let ok = area.len() <= 64
        && area
            .split('/')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
    if ok {
        area.to_string()
    } else {
        String::new()
    }
}

pub struct Choice {
    pub name: String,
    pub code: String,
    pub kind: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "facilities/choose.html")]
struct ChoosePage {
    ctx: PageCtx,
    area: String,
    q: String,
    choices: Vec<Choice>,
    /// Facilities matching but not listed.
    more: usize,
}

pub async fn choose(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Query(query): Query<ChooseQuery>,
) -> AppResult<Response> {
    let area = clean_area(&query.area);
    let today = state.store.clock().today_jst().to_string();
    let visible: Vec<_> = state
        .store
        .facilities_of_user(principal.user.id, &today)
        .await?
        .into_iter()
        .filter(|f| principal.can(f, Action::ViewFacility))
        .collect();
    let link = |code: &str| match area.as_str() {
        "" => format!("/facilities/{code}"),
        area => format!("/facilities/{code}/{area}"),
    };
    if let [only] = visible.as_slice() {
        return Ok(Redirect::to(&link(&only.profile.code)).into_response());
    }
    let needle = query.q.trim().to_lowercase();
    let matching: Vec<_> = visible
        .iter()
        .filter(|f| {
            needle.is_empty()
                || f.profile.name.to_lowercase().contains(&needle)
                || f.profile.code.to_lowercase().contains(&needle)
        })
        .collect();
    let more = matching.len().saturating_sub(LISTED);
    let choices = matching
        .into_iter()
        .take(LISTED)
        .map(|f| Choice {
            name: f.profile.name.clone(),
            code: f.profile.code.clone(),
            kind: f.profile.kind.label(ctx.lang).to_string(),
            link: link(&f.profile.code),
        })
        .collect();
    Ok(render(&ChoosePage {
        ctx,
        area,
        q: query.q.trim().to_string(),
        choices,
        more,
    }))
}

#[cfg(test)]
mod tests {
    use super::clean_area;

    #[test]
    fn only_plain_areas_are_kept() {
        assert_eq!(clean_area("devices"), "devices");
        assert_eq!(
            clean_area("registers/cloud-services"),
            "registers/cloud-services"
        );
        for hostile in [
            "//evil.example",
            "../admin",
            "devices?x=1",
            "a//b",
            "Devices",
            "https:",
        ] {
            assert_eq!(clean_area(hostile), "", "{hostile}");
        }
    }
}
