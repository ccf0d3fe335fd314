//! Time comes through a clock so that tests can set "today": fiscal years and deadlines depend on it.

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in Japan (JST, UTC+9), which is what every form and deadline means.
    fn today_jst(&self) -> NaiveDate {
        (self.now() + chrono::Duration::hours(9)).date_naive()
    }
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still unless advanced; for tests.
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(std::sync::Mutex::new(at))
    }

    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut at) = self.0.lock() {
            *at += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
            .lock()
            .map(|at| *at)
            .unwrap_or_else(|poisoned| *poisoned.into_inner())
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// Timestamps are stored as fixed-width UTC text so that they sort and compare the same way on
/// SQLite and PostgreSQL.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// The date in Japan of a stored UTC timestamp.
pub fn jst_date(text: &str) -> Option<NaiveDate> {
    parse_timestamp(text).map(|at| (at + chrono::Duration::hours(9)).date_naive())
}

/// A stored UTC timestamp shown in Japan time, e.g. "2026-11-21 20:29 JST"; other text unchanged.
pub fn display_jst(text: &str) -> String {
    match parse_timestamp(text) {
        Some(at) => (at + chrono::Duration::hours(9))
            .format("%Y-%m-%d %H:%M JST")
            .to_string(),
        None => text.to_string(),
    }
}

/// The Japanese fiscal year (年度) a date falls in: April to March.
pub fn fiscal_year(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// 和暦 label of a fiscal year, e.g. 2025 → "令和7年度".
pub fn fiscal_year_label_ja(year: i32) -> String {
    if year >= 2019 {
        let reiwa = year - 2018;
        if reiwa == 1 {
            "令和元年度".to_string()
        } else {
            format!("令和{reiwa}年度")
        }
    } else {
        format!("平成{}年度", year - 1988)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_year_starts_in_april() {
        let march = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let april = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(fiscal_year(march), 2025);
        assert_eq!(fiscal_year(april), 2026);
        assert_eq!(fiscal_year_label_ja(2025), "令和7年度");
        assert_eq!(fiscal_year_label_ja(2019), "令和元年度");
    }

    #[test]
    fn timestamps_show_in_japan_time() {
        assert_eq!(
            display_jst("2026-11-21T15:30:00.000000Z"),
            "2026-11-22 00:30 JST"
        );
        assert_eq!(display_jst("—"), "—");
    }

    #[test]
    fn timestamps_round_trip() {
        let at = Utc::now();
        let text = format_timestamp(at);
        assert_eq!(
            parse_timestamp(&text).unwrap().timestamp_micros(),
            at.timestamp_micros()
        );
    }
}
