//! The list's query string, turned into the one [`DeviceFilter`] that the page, the API and the
//! export all use.

use mimamori_domain::ledger::device::{
    parse_flag, DeviceFilter, DeviceKind, DeviceSort, DeviceStatus,
};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeviceQuery {
    /// Search across every text field (case- and width-insensitive).
    #[serde(default)]
    pub q: String,
    /// server | pc | mobile | network | storage | printer | medical_device | other
    #[serde(default)]
    pub kind: String,
    /// active | stopped | spare | disposed
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub os: String,
    /// yes | no
    #[serde(default)]
    pub remote: String,
    /// Name of an information system: only its devices.
    #[serde(default)]
    pub system: String,
    /// management_no | kind | location | os | status | registered_on | updated_at
    #[serde(default)]
    pub sort: String,
    /// 1 for descending
    #[serde(default)]
    pub desc: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn some(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl DeviceQuery {
    pub fn filter(&self) -> DeviceFilter {
        DeviceFilter {
            q: some(&self.q),
            kind: DeviceKind::parse(&self.kind).filter(|_| !self.kind.trim().is_empty()),
            status: DeviceStatus::parse(&self.status),
            location: some(&self.location),
            os: some(&self.os),
            remote_maintenance: some(&self.remote).and_then(|r| parse_flag(&r)),
            management_nos: None,
            sort: DeviceSort::parse(&self.sort).unwrap_or_default(),
            descending: matches!(self.desc.as_str(), "1" | "true" | "yes"),
            page: self.page.unwrap_or(1).max(1),
            per_page: self.per_page.unwrap_or(DeviceFilter::DEFAULT_PER_PAGE),
        }
    }

    /// The query string with the filter only (no sort or page), for links that keep it.
    pub fn filter_string(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("kind", &self.kind),
            ("status", &self.status),
            ("location", &self.location),
            ("os", &self.os),
            ("remote", &self.remote),
            ("system", &self.system),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", urlencoding::encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Link target for sorting by a column (toggles direction when already sorted by it).
    pub fn sort_link(&self, column: &str) -> String {
        let current = DeviceSort::parse(&self.sort).unwrap_or_default().code();
        let desc = if current == column && self.desc != "1" {
            "1"
        } else {
            "0"
        };
        format!("?{}&sort={column}&desc={desc}", self.filter_string())
    }

    pub fn page_link(&self, page: i64) -> String {
        format!(
            "?{}&sort={}&desc={}&page={page}",
            self.filter_string(),
            self.sort,
            self.desc
        )
    }
}

impl DeviceQuery {
    /// The filter, with the `system` parameter resolved to that system's devices.
    pub async fn resolve(
        &self,
        store: &mimamori_store::Store,
        facility_id: i64,
    ) -> Result<DeviceFilter, mimamori_store::StoreError> {
        let mut filter = self.filter();
        if let Some(name) = some(&self.system) {
            let spec = &mimamori_domain::ledger::registers::SYSTEMS;
            filter.management_nos =
                Some(match store.record_by_key(facility_id, spec, &name).await {
                    Ok(system) => system
                        .record
                        .get("devices")
                        .unwrap_or("")
                        .split(", ")
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .collect(),
                    Err(mimamori_store::StoreError::NotFound) => Vec::new(),
                    Err(e) => return Err(e),
                });
        }
        Ok(filter)
    }
}
