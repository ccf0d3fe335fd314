//! Vendors (事業者): a plain registry for now; contracts and disclosures come later.

use serde::{Deserialize, Serialize};

use crate::validation::{nfkc, optional_text, required_text, search_key, Issue, Issues};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vendor {
    pub name: String,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
}

impl Vendor {
    pub fn search_text(&self) -> String {
        let parts: Vec<&str> = std::iter::once(self.name.as_str())
            .chain(
                [
                    &self.contact_person,
                    &self.phone,
                    &self.email,
                    &self.address,
                    &self.notes,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str),
            )
            .collect();
        search_key(&parts.join("\u{1f}"))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct VendorInput {
    pub name: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub notes: String,
}

impl VendorInput {
    pub fn validate(&self) -> Result<Vendor, Issues> {
        let mut issues = Issues::default();
        let name = required_text(&mut issues, "name", &self.name, 200);
        let phone = optional_text(&mut issues, "phone", &nfkc(&self.phone), 30)
            .map(|p| p.replace(['ー', '−', '―'], "-"));
        if phone.as_ref().is_some_and(|p| {
            !p.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '(' | ')' | ' ' | '+'))
        }) {
            issues.push(Issue::new("phone", "invalid_phone"));
        }
        let email =
            optional_text(&mut issues, "email", &nfkc(&self.email), 254).map(|e| e.to_lowercase());
        if email.as_ref().is_some_and(|e| {
            !e.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        }) {
            issues.push(Issue::new("email", "invalid_email"));
        }
        let vendor = Vendor {
            name,
            contact_person: optional_text(&mut issues, "contact_person", &self.contact_person, 100),
            phone,
            email,
            address: optional_text(&mut issues, "address", &self.address, 300),
            notes: optional_text(&mut issues, "notes", &self.notes, 2000),
        };
        issues.into_result(vendor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_emails_are_normalised() {
        let vendor = VendorInput {
            name: "A社".into(),
            phone: "０３ー１２３４ー５６７８".into(),
            email: "Info@A.co.jp".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(vendor.phone.as_deref(), Some("03-1234-5678"));
        assert_eq!(vendor.email.as_deref(), Some("info@a.co.jp"));
        assert!(VendorInput {
            name: "B".into(),
            phone: "call me".into(),
            ..Default::default()
        }
        .validate()
        .is_err());
    }
}
