//! The organisation overview (組織の概況): every facility of the organisation with its kind,
//! open findings by severity, checklist progress for the current fiscal year and last ledger
//! confirmation — one indexed query per page over the facility summaries — as a page and an API.
//! The summaries are kept current by [`refresh_loop`].

pub mod api;
pub mod pages;

use std::time::Duration;

use mimamori_domain::access::Action;
use mimamori_domain::facility::FacilityKind;
use mimamori_domain::overview::SummaryStatus;
use mimamori_store::overview::{OverviewQuery, OverviewSort};
use mimamori_store::Store;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Principal;
use crate::error::{AppError, AppResult};

/// Rows per page unless asked otherwise.
pub const PER_PAGE: i64 = 50;

/// The query string of the page and the API.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewParams {
    /// hospital | clinic | midwifery_home | pharmacy
    #[serde(default)]
    pub kind: String,
    /// 都道府県名, e.g. 東京都
    #[serde(default)]
    pub prefecture: String,
    /// attention | open | clear | pending
    #[serde(default)]
    pub status: String,
    /// Part of the facility code or name.
    #[serde(default)]
    pub q: String,
    /// findings | code | name | checklist | confirmed
    #[serde(default)]
    pub sort: String,
    /// 1 reverses the sort.
    #[serde(default)]
    pub desc: String,
    pub page: Option<i64>,
    /// At most 500.
    pub per_page: Option<i64>,
}

impl OverviewParams {
    /// The store query for `organisation_id`; unknown codes are errors, not silently ignored.
    pub fn query(&self, organisation_id: i64) -> AppResult<OverviewQuery> {
        let kind = pick(&self.kind)
            .map(|k| FacilityKind::parse(k).ok_or_else(|| invalid("kind", k)))
            .transpose()?;
        let status = pick(&self.status)
            .map(|s| SummaryStatus::parse(s).ok_or_else(|| invalid("status", s)))
            .transpose()?;
        let sort = pick(&self.sort)
            .map(|s| OverviewSort::parse(s).ok_or_else(|| invalid("sort", s)))
            .transpose()?
            .unwrap_or_default();
        Ok(OverviewQuery {
            organisation_id,
            kind,
            prefecture: pick(&self.prefecture).map(str::to_string),
            status,
            q: pick(&self.q).map(str::to_string),
            sort,
            reverse: self.desc == "1",
            page: self.page.unwrap_or(1).max(1),
            per_page: self.per_page.unwrap_or(PER_PAGE).clamp(1, 500),
        })
    }

    /// The filters as a query string (without sort and page), escaped.
    pub fn filter_string(&self) -> String {
        serde_urlencoded::to_string([
            ("kind", self.kind.as_str()),
            ("prefecture", self.prefecture.as_str()),
            ("status", self.status.as_str()),
            ("q", self.q.as_str()),
        ])
        .unwrap_or_default()
    }
}

fn pick(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

fn invalid(field: &str, value: &str) -> AppError {
    AppError::bad_request(
        format!("{field} の値「{value}」は使えません。"),
        format!("{field} does not accept “{value}”."),
    )
}

/// The organisation whose overview the user may see.
pub fn organisation_of(principal: &Principal) -> AppResult<i64> {
    principal
        .organisation_for(Action::ViewFacility)
        .ok_or_else(AppError::forbidden)
}

/// Recomputes pending summaries in the background: the ones changed since their last
/// computation first, then those of an earlier day. Runs until the process ends.
pub async fn refresh_loop(store: Store, every: Duration) {
    loop {
        let today = store.clock().today_jst();
        match store.refresh_pending_summaries(today, 200).await {
            Ok(200) => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "refreshing the overview summaries failed"),
        }
        tokio::time::sleep(every).await;
    }
}
