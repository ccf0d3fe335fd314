//! CPE 2.3 names (`cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:
//! target_sw:target_hw:other`), as NVD configurations and endoflife.date identifiers write them.

use serde::{Deserialize, Serialize};

/// What a CPE names: an application, an operating system or hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CpePart {
    Application,
    OperatingSystem,
    Hardware,
}

/// A parsed CPE 2.3 name. Fields keep NVD's escapes removed; `*` is any, `-` is not applicable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cpe {
    pub part: CpePart,
    pub vendor: String,
    pub product: String,
    pub version: String,
    pub update: String,
    pub edition: String,
    pub sw_edition: String,
    pub target_sw: String,
    pub target_hw: String,
}

impl Cpe {
    /// Reads a CPE 2.3 formatted string. `None` for anything else, and for junk names whose
    /// vendor or product is empty, `*` or `-` (NVD holds some, e.g. `cpe:2.3:o:-:-:-`): they name
    /// nothing a device could run.
    pub fn parse(text: &str) -> Option<Cpe> {
        let rest = text.strip_prefix("cpe:2.3:")?;
        let fields = split_fields(rest);
        let get = |i: usize| fields.get(i).cloned().unwrap_or_else(|| "*".to_string());
        let part = match fields.first()?.as_str() {
            "a" => CpePart::Application,
            "o" => CpePart::OperatingSystem,
            "h" => CpePart::Hardware,
            _ => return None,
        };
        let (vendor, product) = (get(1), get(2));
        if [&vendor, &product]
            .iter()
            .any(|f| f.is_empty() || f.as_str() == "*" || f.as_str() == "-")
        {
            return None;
        }
        Some(Cpe {
            part,
            vendor,
            product,
            version: get(3),
            update: get(4),
            edition: get(5),
            sw_edition: get(8),
            target_sw: get(9),
            target_hw: get(10),
        })
    }

    /// Whether `other` names one release of the product family this name is: NVD names each
    /// Windows 10/11 release a product of its own (`windows_10_1909`), while a ledger often
    /// writes "Windows 10 Pro" with no release, identified as `windows_10`.
    pub fn is_family_of(&self, other: &Cpe) -> bool {
        self.vendor == other.vendor && is_family_key(&self.key(), &other.key())
    }

    /// `vendor:product`, the key feeds are indexed by.
    pub fn key(&self) -> String {
        format!("{}:{}", self.vendor, self.product)
    }

    /// The name written back as CPE 2.3 (escapes not restored: our names hold none).
    pub fn to_cpe23(&self) -> String {
        let part = match self.part {
            CpePart::Application => "a",
            CpePart::OperatingSystem => "o",
            CpePart::Hardware => "h",
        };
        format!(
            "cpe:2.3:{part}:{}:{}:{}:{}:{}:*:{}:{}:{}:*",
            self.vendor,
            self.product,
            self.version,
            self.update,
            self.edition,
            self.sw_edition,
            self.target_sw,
            self.target_hw
        )
    }
}

/// Splits on unescaped `:` and removes the escapes (`\:`, `\.`, `\-` …).
fn split_fields(text: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ':' => fields.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    fields.push(current);
    fields
}

/// Whether a CPE field's value admits `wanted`: `*` (or empty) admits anything, and `-` only
/// "not applicable".
/// An entry of NVD's CPE dictionary: a product name, with its English and Japanese titles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeEntry {
    /// "cpe:2.3:o:fortinet:fortios:7.2.8:*:*:*:*:*:*:*".
    pub name: String,
    pub title: String,
    pub title_ja: Option<String>,
    pub deprecated: bool,
}

/// Products NVD splits by release, as `vendor:product` keys.
pub const FAMILIES: &[&str] = &["microsoft:windows_10", "microsoft:windows_11"];

/// Whether `member` is a release of the family `family` ("microsoft:windows_10" →
/// "microsoft:windows_10_1909", not "microsoft:windows_10").
pub fn is_family_key(family: &str, member: &str) -> bool {
    FAMILIES.contains(&family)
        && member
            .strip_prefix(family)
            .is_some_and(|rest| rest.len() > 1 && rest.starts_with('_'))
}

pub fn field_admits(field: &str, wanted: &str) -> bool {
    field == "*" || field.is_empty() || field.eq_ignore_ascii_case(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_with_escapes_and_junk_is_refused() {
        let cpe = Cpe::parse("cpe:2.3:o:fortinet:fortios:7.2.8:*:*:*:*:*:*:*").unwrap();
        assert_eq!(cpe.part, CpePart::OperatingSystem);
        assert_eq!(cpe.key(), "fortinet:fortios");
        assert_eq!(cpe.version, "7.2.8");
        let escaped = Cpe::parse(r"cpe:2.3:a:vendor:prod\:uct:1\.0:*:*:*:*:*:*:*").unwrap();
        assert_eq!(escaped.product, "prod:uct");
        assert_eq!(escaped.version, "1.0");
        assert!(Cpe::parse("cpe:2.3:o:-:-:-").is_none());
        assert!(Cpe::parse("cpe:2.3:x:a:b:c").is_none());
        assert!(Cpe::parse("cpe:/o:microsoft:windows").is_none());
        assert_eq!(
            Cpe::parse(&cpe.to_cpe23()).unwrap(),
            cpe,
            "written back, read again"
        );
    }
}
