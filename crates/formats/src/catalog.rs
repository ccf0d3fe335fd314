//! Checklist catalogue files (YAML, schema in docs/catalog.md): the editions shipped in the
//! binary and the reading of an edition file for `mimamori catalog import`.

use mimamori_domain::checklist::Edition;
use mimamori_domain::i18n::Lang;

/// The editions built from public sources, embedded at compile time.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "r5-facility.yaml",
        include_str!("../../../catalog/checklist/r5-facility.yaml"),
    ),
    (
        "r5-pharmacy.yaml",
        include_str!("../../../catalog/checklist/r5-pharmacy.yaml"),
    ),
    (
        "r5-vendor.yaml",
        include_str!("../../../catalog/checklist/r5-vendor.yaml"),
    ),
    (
        "r6-facility.yaml",
        include_str!("../../../catalog/checklist/r6-facility.yaml"),
    ),
    (
        "r6-pharmacy.yaml",
        include_str!("../../../catalog/checklist/r6-pharmacy.yaml"),
    ),
    (
        "r6-vendor.yaml",
        include_str!("../../../catalog/checklist/r6-vendor.yaml"),
    ),
    (
        "r7-facility.yaml",
        include_str!("../../../catalog/checklist/r7-facility.yaml"),
    ),
    (
        "r7-pharmacy.yaml",
        include_str!("../../../catalog/checklist/r7-pharmacy.yaml"),
    ),
    (
        "r7-vendor.yaml",
        include_str!("../../../catalog/checklist/r7-vendor.yaml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("カタログを読めません（{line}行 {column}列）: {reason} / cannot read the catalogue (line {line}, column {column}): {reason}")]
    Syntax {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("カタログの内容に誤りがあります / the catalogue is invalid:\n{0}")]
    Invalid(String),
}

/// Reads and validates one edition file.
pub fn parse_edition(text: &str) -> Result<Edition, CatalogError> {
    let edition: Edition = serde_yaml_ng::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        CatalogError::Syntax {
            line,
            column,
            reason: e.to_string(),
        }
    })?;
    edition.validate().map_err(|issues| {
        let lines: Vec<String> = issues
            .0
            .iter()
            .map(|i| {
                format!(
                    "- {}: {} / {}",
                    i.field,
                    i.message(Lang::Ja),
                    i.message(Lang::En)
                )
            })
            .collect();
        CatalogError::Invalid(lines.join("\n"))
    })?;
    Ok(edition)
}

/// Every built-in edition. The files are checked by tests, so a failure here is a build defect.
pub fn builtin_editions() -> Result<Vec<Edition>, CatalogError> {
    BUILTIN
        .iter()
        .map(|(_, text)| parse_edition(text))
        .collect()
}

/// An edition as a catalogue file (for exporting a facility-maintained edition).
pub fn to_yaml(edition: &Edition) -> String {
    serde_yaml_ng::to_string(edition).unwrap_or_default()
}
