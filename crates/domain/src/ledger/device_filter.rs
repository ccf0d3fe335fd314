//! The one filter of the device list: the HTML page, the API and the export use it alike.

use serde::{Deserialize, Serialize};

use super::device::{DeviceKind, DeviceStatus};
use crate::validation::search_key;

/// Sort columns of the device list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceSort {
    #[default]
    ManagementNo,
    Kind,
    Location,
    Os,
    Status,
    RegisteredOn,
    UpdatedAt,
}

impl DeviceSort {
    pub const ALL: [DeviceSort; 7] = [
        Self::ManagementNo,
        Self::Kind,
        Self::Location,
        Self::Os,
        Self::Status,
        Self::RegisteredOn,
        Self::UpdatedAt,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ManagementNo => "management_no",
            Self::Kind => "kind",
            Self::Location => "location",
            Self::Os => "os",
            Self::Status => "status",
            Self::RegisteredOn => "registered_on",
            Self::UpdatedAt => "updated_at",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == text)
    }
}

/// One filter for the device list page, the list API and the export, so the three agree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFilter {
    /// Matched against every text field, insensitive to case and width.
    pub q: Option<String>,
    pub kind: Option<DeviceKind>,
    pub status: Option<DeviceStatus>,
    pub location: Option<String>,
    pub os: Option<String>,
    pub remote_maintenance: Option<bool>,
    /// Only these 管理番号 (e.g. the devices of an information system); `Some(empty)` matches nothing.
    pub management_nos: Option<Vec<String>>,
    pub sort: DeviceSort,
    pub descending: bool,
    pub page: i64,
    pub per_page: i64,
}

impl DeviceFilter {
    pub const DEFAULT_PER_PAGE: i64 = 50;

    /// The search term in search form.
    pub fn q_key(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(search_key)
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty())
    }

    pub fn offset(&self) -> i64 {
        crate::validation::page_offset(self.page, self.limit())
    }

    pub fn limit(&self) -> i64 {
        if self.per_page <= 0 {
            Self::DEFAULT_PER_PAGE
        } else {
            self.per_page.min(1000)
        }
    }
}
