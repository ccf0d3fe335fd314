//! Comparing the versions ledgers and feeds write: "7.2" = "7.2.0", "13.1-49.13" < "13.1-49.15",
//! Windows builds "10.0.19045.3570", FortiOS "v7.0.12 build0523".

use std::cmp::Ordering;

/// One part of a version: a number, or a word ("beta", "r2").
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Number(u64),
    Word(String),
}

/// A version split into its parts, for comparison. Separators (`.`, `-`, `_`, `+`, spaces,
/// brackets) are not parts; a change from digits to letters starts a new part ("7a" → 7, "a").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    parts: Vec<Part>,
    /// Each part as written ("04" stays "04": Ubuntu's cycle is "20.04", not "20.4").
    written: Vec<String>,
    text: String,
}

impl Version {
    /// Reads a version, or `None` when the text holds no digit at all (a version must number
    /// something; "latest" or "-" are not versions).
    pub fn parse(text: &str) -> Option<Version> {
        let text = clean(text);
        if !text.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut parts = Vec::new();
        let mut written = Vec::new();
        let mut current = String::new();
        let mut flush = |current: &mut String, parts: &mut Vec<Part>| {
            if current.is_empty() {
                return;
            }
            written.push(current.clone());
            let part = match current.parse::<u64>() {
                Ok(n) => Part::Number(n),
                // Digits beyond u64 compare as their trimmed text, longest first.
                Err(_) if current.chars().all(|c| c.is_ascii_digit()) => Part::Number(u64::MAX),
                Err(_) => Part::Word(current.to_ascii_lowercase()),
            };
            parts.push(part);
            current.clear();
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                let boundary = current
                    .chars()
                    .last()
                    .is_some_and(|last| last.is_ascii_digit() != c.is_ascii_digit());
                if boundary {
                    flush(&mut current, &mut parts);
                }
                current.push(c);
            } else {
                flush(&mut current, &mut parts);
            }
        }
        flush(&mut current, &mut parts);
        Some(Version {
            parts,
            written,
            text,
        })
    }

    /// The version as written, cleaned ("v7.0.12 build0523" → "7.0.12").
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first `n` numbers ("7.2.8" with 2 → "7.2"), for naming a release cycle.
    pub fn leading(&self, n: usize) -> Option<String> {
        let numbers: Vec<&str> = self
            .parts
            .iter()
            .zip(&self.written)
            .take_while(|(p, _)| matches!(p, Part::Number(_)))
            .take(n)
            .map(|(_, w)| w.as_str())
            .collect();
        (numbers.len() == n).then(|| numbers.join("."))
    }

    /// The first number ("12.6" → 12).
    pub fn major(&self) -> Option<u64> {
        match self.parts.first() {
            Some(Part::Number(n)) => Some(*n),
            _ => None,
        }
    }
}

/// Drops what vendors write around a version: a leading "v"/"ver."/"version", a FortiOS
/// "build0523" (NVD numbers FortiOS by its version alone), full-width digits.
fn clean(text: &str) -> String {
    let text: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            _ => c,
        })
        .collect();
    let lower = text.to_ascii_lowercase();
    let cut = lower.find("build").unwrap_or(lower.len());
    let mut kept = text[..cut].trim().trim_end_matches(',').trim().to_string();
    for prefix in ["version", "ver.", "ver", "v"] {
        let lower = kept.to_ascii_lowercase();
        if lower.starts_with(prefix)
            && kept[prefix.len()..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit())
        {
            kept = kept[prefix.len()..].trim_start().to_string();
            break;
        }
    }
    kept
}

impl Version {
    /// The same version without its written form, for bounds compared many times and never
    /// shown (a third of the memory).
    pub fn compact(mut self) -> Version {
        self.written = Vec::new();
        self.text = String::new();
        self
    }

    /// Whether it lies in the line `line` names: "7.0.12" is in "7.0" and in "7", not in
    /// "7.2"; "7.0" is in "7.0" (a line is as long as written).
    pub fn in_line(&self, line: &Version) -> bool {
        line.parts.len() <= self.parts.len()
            && line.parts.iter().zip(&self.parts).all(|(a, b)| a == b)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.parts.len().max(other.parts.len());
        for i in 0..len {
            // A missing part is 0: 7.2 = 7.2.0, and 13.1 < 13.1-49.15.
            let zero = Part::Number(0);
            let a = self.parts.get(i).unwrap_or(&zero);
            let b = other.parts.get(i).unwrap_or(&zero);
            let order = match (a, b) {
                (Part::Number(x), Part::Number(y)) => x.cmp(y),
                // A word where the other has a number is a pre-release: 2.0beta < 2.0.0.
                (Part::Word(_), Part::Number(_)) => Ordering::Less,
                (Part::Number(_), Part::Word(_)) => Ordering::Greater,
                (Part::Word(x), Part::Word(y)) => x.cmp(y),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn a_version_lies_in_the_lines_that_lead_it() {
        assert!(v("7.0.12 build0523").in_line(&v("7.0")));
        assert!(v("7.0").in_line(&v("7.0")));
        assert!(v("7.0.12").in_line(&v("7")));
        assert!(!v("7.2.8").in_line(&v("7.0")));
        assert!(!v("7").in_line(&v("7.0")), "7 says nothing of its minor");
        assert!(!v("17.0.1").in_line(&v("7.0")));
    }

    #[test]
    fn missing_parts_are_zero_and_builds_compare_by_number() {
        assert_eq!(v("7.2").cmp(&v("7.2.0")), Ordering::Equal);
        assert!(v("13.1-49.13") < v("13.1-49.15"));
        assert!(v("13.1") < v("13.1-49.15"));
        assert!(v("10.0.19045.3570") < v("10.0.19045.3636"));
        assert!(v("10.0.17763.5458") > v("10.0.17763.999"));
        assert!(v("7.0.9") < v("7.0.12"));
        assert!(v("2.0beta") < v("2.0"));
    }

    #[test]
    fn vendor_decorations_are_dropped() {
        assert_eq!(v("v7.0.12 build0523").as_str(), "7.0.12");
        assert_eq!(v("Ver.7.2.8").as_str(), "7.2.8");
        assert_eq!(v("７．２．８").as_str(), "7.2.8");
        assert_eq!(v("v7.0.12 build0523").cmp(&v("7.0.12")), Ordering::Equal);
        assert_eq!(v("7.2.8").leading(2).as_deref(), Some("7.2"));
        assert_eq!(v("20.04.6").leading(2).as_deref(), Some("20.04"));
        assert!(Version::parse("-").is_none());
        assert!(Version::parse("latest").is_none());
    }
}
