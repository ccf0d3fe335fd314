//! The administrator's confirmation of what an unknown ledger text means: the texts no rule
//! identifies across the organisation's facilities (with how many devices write them and
//! products of near names as suggestions), and the confirmation or its withdrawal.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use mimamori_domain::vulnerabilities::mapping::{
    check_mapping, device_key, suggestions, MappingProblem, ProductMapping,
};
use mimamori_domain::vulnerabilities::{identify, Identification};
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// A ledger text no rule identifies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnknownText {
    /// As the first device found writes it.
    pub text: String,
    pub devices: usize,
    /// Codes of the facilities whose devices write it.
    pub facilities: Vec<String>,
    /// Known products of near names, to choose from (none is chosen).
    pub suggestions: Vec<String>,
    /// Entries of the imported CPE dictionary whose titles (English or Japanese) hold the
    /// text's words: (CPE name, title).
    pub dictionary: Vec<(String, String)>,
}

/// Why a mapping is refused, in Japanese and English.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("台帳の記載を入力してください / give the ledger's text")]
    BlankText,
    #[error("「{0}」はすでに {1} と判別できます。対応付けは不要です / “{0}” is already identified as {1}: no mapping is needed")]
    AlreadyIdentified(String, String),
    #[error("「{0}」はどの製品か判別できません。候補から選ぶか「Windows 10 Pro 22H2」「FortiOS 7.2」のように製品名と版で書いてください / cannot tell which product “{0}” is: choose a suggestion or write a product and version such as “FortiOS 7.2”")]
    MeaningUnknown(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The texts of devices in use that no rule or mapping identifies, most written first.
pub async fn unknown_texts(
    store: &Store,
    facilities: &[Facility],
    today: NaiveDate,
) -> Result<Vec<UnknownText>, StoreError> {
    let mut found: BTreeMap<String, UnknownText> = BTreeMap::new();
    for facility in facilities {
        let facts = store.facility_facts(facility.id, today).await?;
        for device in facts.devices.iter().filter(|d| d.in_use()) {
            let text = facts.text_of(device);
            if let Identification::Unidentified { text: written } = identify(text) {
                let entry = found
                    .entry(device_key(&text))
                    .or_insert_with(|| UnknownText {
                        suggestions: suggestions(&written, 5)
                            .into_iter()
                            .map(String::from)
                            .collect(),
                        dictionary: Vec::new(),
                        text: written,
                        devices: 0,
                        facilities: Vec::new(),
                    });
                entry.devices += 1;
                if !entry.facilities.contains(&facility.profile.code) {
                    entry.facilities.push(facility.profile.code.clone());
                }
            }
        }
    }
    let mut texts: Vec<UnknownText> = found.into_values().collect();
    texts.sort_by(|a, b| b.devices.cmp(&a.devices).then_with(|| a.text.cmp(&b.text)));
    // The dictionary is asked for the texts shown first (one query each).
    for text in texts.iter_mut().take(200) {
        text.dictionary = store
            .cpe_suggestions(&text.text, 8)
            .await?
            .into_iter()
            .map(|e| {
                let title = e.title_ja.unwrap_or(e.title);
                (e.name, title)
            })
            .collect();
    }
    Ok(texts)
}

/// Confirms that `text` means `means` for the organisation; the product it leads to is checked.
pub async fn confirm(
    store: &Store,
    actor: &Actor,
    organisation_id: i64,
    text: &str,
    means: &str,
) -> Result<ProductMapping, MappingError> {
    let cut = |t: &str| t.trim().chars().take(120).collect::<String>();
    check_mapping(text, means).map_err(|problem| match problem {
        MappingProblem::BlankText => MappingError::BlankText,
        MappingProblem::AlreadyIdentified(label) => {
            MappingError::AlreadyIdentified(cut(text), label)
        }
        MappingProblem::MeaningUnknown => MappingError::MeaningUnknown(cut(means)),
    })?;
    Ok(store
        .save_mapping(actor, organisation_id, &cut(text), &cut(means))
        .await?)
}

/// Withdraws the mapping of `text`.
pub async fn forget(
    store: &Store,
    actor: &Actor,
    organisation_id: i64,
    text: &str,
) -> Result<(), StoreError> {
    store.delete_mapping(actor, organisation_id, text).await
}
