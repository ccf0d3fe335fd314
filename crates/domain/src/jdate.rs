//! Dates as Japanese offices write them: 2020-12-01, 2020/12/1, R2.12.1, 令和2年12月1日, full width.

use chrono::{Datelike, NaiveDate};

use crate::validation::to_half_width;

const ERAS: [(&str, &str, i32); 5] = [
    // (kanji, initial, first Western year - 1)
    ("令和", "R", 2018),
    ("平成", "H", 1988),
    ("昭和", "S", 1925),
    ("大正", "T", 1911),
    ("明治", "M", 1867),
];

/// Parses a date in any of the accepted forms; `None` when it is not a real date. A time after
/// the date, as systems export sign-ins (`2026/05/26 00:00:00`, `2026-05-26T09:12:44`,
/// `R8.5.26 9:12`, `2026年5月26日 9時12分`), is read and set aside: the ledgers keep dates.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = to_half_width(text.trim());
    let text = without_time(&text).replace(' ', "");
    if text.is_empty() {
        return None;
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        // 20260526, as many systems write dates without separators.
        let (y, m, d) = (&text[..4], &text[4..6], &text[6..]);
        return NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
            .filter(|date| date.year() >= 1900);
    }
    let (offset, rest) = split_era(&text);
    let rest = rest.replace("元", "1");
    let parts: Vec<&str> = rest
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 {
        return None;
    }
    let year: i32 = parts[0].parse().ok()?;
    let month: u32 = parts[1].parse().ok()?;
    let day: u32 = parts[2].parse().ok()?;
    let year = match offset {
        Some(offset) if (1..100).contains(&year) => offset + year,
        Some(_) => return None,
        None if year >= 1000 => year,
        None => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The date part of a date-time: what precedes a `T` or a space that is followed by a time
/// (`9:12`, `09:12:44.123`, `+09:00`, `9時12分`). Text that is not a time is left whole, so that
/// `2026 / 5 / 26` still reads.
fn without_time(text: &str) -> &str {
    let is_time = |rest: &str| {
        let rest = rest.trim();
        !rest.is_empty()
            && rest.chars().next().is_some_and(|c| c.is_ascii_digit())
            && (rest.contains(':') || rest.contains('時'))
            && rest.chars().all(|c| {
                c.is_ascii_digit()
                    || matches!(c, ':' | '.' | '+' | '-' | 'Z' | ' ' | '時' | '分' | '秒')
            })
    };
    for (at, c) in text.char_indices() {
        if (c == 'T' || c == ' ') && at > 0 && is_time(&text[at + 1..]) {
            return text[..at].trim_end();
        }
    }
    text
}

fn split_era(text: &str) -> (Option<i32>, &str) {
    for (kanji, initial, offset) in ERAS {
        if let Some(rest) = text.strip_prefix(kanji) {
            return (Some(offset), rest);
        }
        if let Some(rest) = text
            .strip_prefix(initial)
            .or_else(|| text.strip_prefix(&initial.to_lowercase()))
        {
            return (Some(offset), rest);
        }
    }
    (None, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn accepts_the_forms_offices_use() {
        assert_eq!(parse_date("2020-12-01"), d(2020, 12, 1));
        assert_eq!(parse_date("2020/12/1"), d(2020, 12, 1));
        assert_eq!(parse_date("R2.12.1"), d(2020, 12, 1));
        assert_eq!(parse_date("令和2年12月1日"), d(2020, 12, 1));
        assert_eq!(parse_date("令和元年5月1日"), d(2019, 5, 1));
        assert_eq!(parse_date("Ｈ３１．４．３０"), d(2019, 4, 30));
        assert_eq!(parse_date("２０２５／４／１"), d(2025, 4, 1));
    }

    #[test]
    fn accepts_date_times_as_systems_export_them() {
        for text in [
            "2026/05/26 00:00:00",
            "2026-05-26T09:12:44",
            "2026-05-26T09:12:44.123+09:00",
            "2026-05-26 09:12:44Z",
            "R8.5.26 9:12",
            "令和8年5月26日 9時12分",
            "２０２６／５／２６　９：１２",
            "20260526",
            "2026/5/26 9:12",
        ] {
            assert_eq!(parse_date(text), d(2026, 5, 26), "{text}");
        }
        assert_eq!(parse_date("2026 / 5 / 26"), d(2026, 5, 26));
        assert_eq!(parse_date("20261332"), None);
        assert_eq!(parse_date("2026-05-26 午後"), None);
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(parse_date("2025-02-30"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("12/1"), None);
    }
}
