//! Facilities (医療機関・薬局) and their profile.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::prefecture::{canonical_prefecture, prefecture_code};
use crate::validation::{optional_text, required_text, to_half_width, Issue, Issues};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    Hospital,
    Clinic,
    MidwiferyHome,
    Pharmacy,
}

impl FacilityKind {
    pub const ALL: [FacilityKind; 4] = [
        Self::Hospital,
        Self::Clinic,
        Self::MidwiferyHome,
        Self::Pharmacy,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Hospital => "hospital",
            Self::Clinic => "clinic",
            Self::MidwiferyHome => "midwifery_home",
            Self::Pharmacy => "pharmacy",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|kind| kind.code() == text || kind.label(Lang::Ja) == text)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Hospital => lang.pick("病院", "Hospital"),
            Self::Clinic => lang.pick("診療所", "Clinic"),
            Self::MidwiferyHome => lang.pick("助産所", "Midwifery home"),
            Self::Pharmacy => lang.pick("薬局", "Pharmacy"),
        }
    }
}

/// A facility as entered (forms, CLI, API): all text, validated by [`FacilityInput::validate`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FacilityInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub beds: String,
    #[serde(default)]
    pub institution_code: String,
    #[serde(default)]
    pub prefecture: String,
    #[serde(default)]
    pub address: String,
}

/// A validated facility profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacilityProfile {
    pub code: String,
    pub name: String,
    pub kind: FacilityKind,
    pub beds: Option<i64>,
    pub institution_code: Option<String>,
    pub prefecture: Option<String>,
    pub address: Option<String>,
}

impl FacilityInput {
    pub fn validate(&self) -> Result<FacilityProfile, Issues> {
        let mut issues = Issues::default();
        let code = to_half_width(self.code.trim());
        if code.is_empty()
            || code.len() > 32
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            issues.push(Issue::new("code", "invalid_code"));
        }
        let name = required_text(&mut issues, "name", &self.name, 200);
        let kind = FacilityKind::parse(&self.kind);
        if kind.is_none() {
            issues.push(Issue::new("kind", "invalid_kind"));
        }
        let beds = parse_beds(&mut issues, &self.beds, kind);
        let prefecture =
            optional_text(&mut issues, "prefecture", &self.prefecture, 10).and_then(|p| {
                match canonical_prefecture(&p) {
                    Some(canonical) => Some(canonical.to_string()),
                    None => {
                        issues.push(Issue::new("prefecture", "invalid_prefecture"));
                        None
                    }
                }
            });
        let institution_code =
            parse_institution_code(&mut issues, &self.institution_code, prefecture.as_deref());
        let address = optional_text(&mut issues, "address", &self.address, 300);
        let kind = kind.unwrap_or(FacilityKind::Clinic);
        issues.into_result(FacilityProfile {
            code,
            name,
            kind,
            beds,
            institution_code,
            prefecture,
            address,
        })
    }
}

fn parse_beds(issues: &mut Issues, text: &str, kind: Option<FacilityKind>) -> Option<i64> {
    let text = to_half_width(text.trim()).replace(',', "");
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(beds) if (0..=10_000).contains(&beds) => {
            if kind == Some(FacilityKind::Pharmacy) && beds > 0 {
                issues.push(Issue::new("beds", "beds_not_allowed"));
            }
            Some(beds)
        }
        _ => {
            issues.push(Issue::new("beds", "invalid_beds"));
            None
        }
    }
}

/// 医療機関コード: 10 digits — prefecture (2), fee table (1: 医科, 3: 歯科, 4: 調剤), then 7 digits
/// (district, number, check digit). The check digit's algorithm is not verified against an
/// official source here, so it is not enforced; structure and prefecture are.
fn parse_institution_code(
    issues: &mut Issues,
    text: &str,
    prefecture: Option<&str>,
) -> Option<String> {
    let code: String = to_half_width(text.trim())
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .collect();
    if code.is_empty() {
        return None;
    }
    let digits_ok = code.len() == 10 && code.chars().all(|c| c.is_ascii_digit());
    let pref: u8 = code.get(0..2).and_then(|p| p.parse().ok()).unwrap_or(0);
    let table = code.get(2..3).unwrap_or("");
    if !digits_ok || !(1..=47).contains(&pref) || !matches!(table, "1" | "3" | "4") {
        issues.push(Issue::new("institution_code", "invalid_institution_code"));
        return Some(code);
    }
    if let Some(name) = prefecture {
        if prefecture_code(name) != Some(pref) {
            issues.push(
                Issue::new("institution_code", "institution_code_prefecture")
                    .with("code", &code[0..2])
                    .with("prefecture", name),
            );
        }
    }
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FacilityInput {
        FacilityInput {
            code: "ＨＯＳＰ-1".into(),
            name: "みまもり市民病院".into(),
            kind: "hospital".into(),
            beds: "２００".into(),
            institution_code: "1312345678".into(),
            prefecture: "東京".into(),
            address: String::new(),
        }
    }

    #[test]
    fn valid_profile_is_normalised() {
        let profile = input().validate().unwrap();
        assert_eq!(profile.code, "HOSP-1");
        assert_eq!(profile.beds, Some(200));
        assert_eq!(profile.prefecture.as_deref(), Some("東京都"));
        assert_eq!(profile.kind, FacilityKind::Hospital);
    }

    #[test]
    fn every_problem_is_reported() {
        let bad = FacilityInput {
            code: "bad code!".into(),
            name: " ".into(),
            kind: "castle".into(),
            beds: "many".into(),
            institution_code: "123".into(),
            prefecture: "Atlantis".into(),
            address: String::new(),
        };
        let issues = bad.validate().unwrap_err();
        let fields: Vec<_> = issues.0.iter().map(|i| i.field).collect();
        for field in [
            "code",
            "name",
            "kind",
            "beds",
            "institution_code",
            "prefecture",
        ] {
            assert!(fields.contains(&field), "{field} missing in {fields:?}");
        }
    }

    #[test]
    fn institution_code_must_match_prefecture() {
        let mut wrong = input();
        wrong.institution_code = "2712345678".into();
        let issues = wrong.validate().unwrap_err();
        assert_eq!(issues.0[0].code, "institution_code_prefecture");
    }
}
