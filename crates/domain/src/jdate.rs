//! Dates as Japanese offices write them: 2020-12-01, 2020/12/1, R2.12.1, 令和2年12月1日, full width.

use chrono::NaiveDate;

use crate::validation::to_half_width;

const ERAS: [(&str, &str, i32); 5] = [
    // (kanji, initial, first Western year - 1)
    ("令和", "R", 2018),
    ("平成", "H", 1988),
    ("昭和", "S", 1925),
    ("大正", "T", 1911),
    ("明治", "M", 1867),
];

/// Parses a date in any of the accepted forms; `None` when it is not a real date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = to_half_width(text.trim()).replace(' ', "");
    if text.is_empty() {
        return None;
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
    fn rejects_impossible_dates() {
        assert_eq!(parse_date("2025-02-30"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("12/1"), None);
    }
}
