//! Which XLSX number formats show a date, and the date an Excel serial number stands for.
//! Japanese offices format dates as 和暦 (`[$-ja-JP-x-gannen]ggge"年"m"月"d"日"`,
//! `[$-411]ge.m.d`) as often as 西暦; what the cell holds is the same serial number either way,
//! and the ledger stores the date, so every date format gives an ISO date.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// What a cell's number format makes of its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shown {
    #[default]
    Number,
    Date,
    DateTime,
    Time,
}

/// The built-in formats (ECMA-376 §18.8.30 and the East Asian ones Japanese Excel uses).
pub fn builtin(id: u32) -> Shown {
    match id {
        14..=17 | 27..=31 | 34..=36 | 50..=58 => Shown::Date,
        22 => Shown::DateTime,
        18..=21 | 32 | 33 | 45..=47 => Shown::Time,
        _ => Shown::Number,
    }
}

/// A custom format code classified by the tokens left once literals (`"年"`, `\-`), bracketed
/// parts (`[$-ja-JP-x-gannen]`, `[Red]`, `[h]`) and sections after the first are set aside.
pub fn custom(code: &str) -> Shown {
    let section = first_section(code);
    if section.trim().eq_ignore_ascii_case("general") {
        return Shown::Number;
    }
    let (mut date, mut time, mut month) = (false, false, false);
    let mut chars = section.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for inner in chars.by_ref() {
                    if inner == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inside: String = chars.by_ref().take_while(|c| *c != ']').collect();
                // `[h]`, `[mm]`, `[ss]` are elapsed time; `[$-411]`, `[Red]` change nothing.
                if !inside.is_empty()
                    && inside
                        .chars()
                        .all(|c| matches!(c, 'h' | 'H' | 'm' | 'M' | 's' | 'S'))
                {
                    time = true;
                }
            }
            'y' | 'Y' | 'd' | 'D' | 'g' | 'G' => date = true,
            // `e` is the year of the era; `E+` / `E-` is scientific notation.
            'e' | 'E' if !matches!(chars.peek(), Some('+' | '-')) => date = true,
            'h' | 'H' | 's' | 'S' => time = true,
            'm' | 'M' => month = true,
            _ => {}
        }
    }
    match (date, time) {
        (true, true) => Shown::DateTime,
        (true, false) => Shown::Date,
        (false, true) => Shown::Time,
        // `m"月"` alone shows the month of a date.
        (false, false) if month => Shown::Date,
        (false, false) => Shown::Number,
    }
}

fn first_section(code: &str) -> &str {
    let mut in_quote = false;
    for (i, c) in code.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            ';' if !in_quote => return &code[..i],
            _ => {}
        }
    }
    code
}

/// The date and time of an Excel serial number in the 1900 system (which counts a 29 February
/// 1900 that never was) or the 1904 system.
pub fn serial_to_datetime(serial: f64, date1904: bool) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.trunc() as i64;
    let base = if date1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let seconds = ((serial - serial.trunc()) * 86_400.0).round() as i64;
    let date = base.checked_add_signed(Duration::days(days))?;
    Some(date.and_time(NaiveTime::MIN) + Duration::seconds(seconds))
}

/// A cell's text as the ledger reads it: an ISO date, date-time or time, or the number itself.
pub fn shown_text(number: f64, shown: Shown, date1904: bool) -> Option<String> {
    let at = serial_to_datetime(number, date1904)?;
    Some(match shown {
        Shown::Number => return None,
        Shown::Date | Shown::DateTime if at.time() == NaiveTime::MIN => {
            at.date().format("%Y-%m-%d").to_string()
        }
        Shown::Date | Shown::DateTime => at.format("%Y-%m-%d %H:%M:%S").to_string(),
        Shown::Time => at.time().format("%H:%M:%S").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_and_western_date_formats_are_dates() {
        for code in [
            r#"[$-ja-JP-x-gannen]ggge"年"m"月"d"日""#,
            r#"[$-411]ggge"年"m"月"d"日""#,
            "[$-411]ge.m.d",
            "yyyy/m/d",
            r#"yyyy"年"m"月"d"日""#,
            "m/d/yy",
            r#"m"月"d"日""#,
            "[$-F800]dddd, mmmm dd, yyyy",
            "yyyy/mm/dd;@",
        ] {
            assert_eq!(custom(code), Shown::Date, "{code}");
        }
        assert_eq!(custom("yyyy/m/d h:mm"), Shown::DateTime);
        assert_eq!(custom("h:mm:ss"), Shown::Time);
        assert_eq!(custom("[h]:mm"), Shown::Time);
        for code in [
            "0.00E+00",
            "#,##0",
            "0.0%",
            r#"0"台""#,
            "@",
            "General",
            r#"#,##0"円";[Red]-#,##0"円""#,
        ] {
            assert_eq!(custom(code), Shown::Number, "{code}");
        }
    }

    #[test]
    fn serials_follow_excel_including_its_1900_leap_day() {
        let date = |s: f64| serial_to_datetime(s, false).unwrap().date().to_string();
        assert_eq!(date(1.0), "1900-01-01");
        assert_eq!(date(61.0), "1900-03-01");
        assert_eq!(date(44166.0), "2020-12-01");
        assert_eq!(date(46168.0), "2026-05-26");
        assert_eq!(
            serial_to_datetime(0.0, true).unwrap().date().to_string(),
            "1904-01-01"
        );
        assert_eq!(
            shown_text(46168.385, Shown::DateTime, false).as_deref(),
            Some("2026-05-26 09:14:24")
        );
        assert!(serial_to_datetime(f64::NAN, false).is_none());
        assert!(serial_to_datetime(-1.0, false).is_none());
        assert!(serial_to_datetime(1e300, false).is_none());
    }
}
