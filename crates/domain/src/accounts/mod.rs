//! Accounts and access rights: the staff roster, the account ledger of each information system,
//! the job-type × information-category policy, matching accounts to people, access reviews and
//! the ID application workflow (seed 004 Art. 10–12; checklist items on access rights and on
//! removing unneeded accounts).

pub mod account;
pub mod matching;
pub mod privileges;
pub mod staff;
pub mod workflow;

pub use account::{Account, AccountChanges, AccountStatus, ColumnMapping, ACCOUNTS};
pub use privileges::{Level, Privileges, INFO_CATEGORIES};
pub use staff::{Person, JOB_TYPES, STAFF};

use crate::ledger::register::Choice;

/// The label of a choice code in the given language (the code itself when unknown).
pub fn choice_label(choices: &[Choice], code: &str, lang: crate::i18n::Lang) -> String {
    choices
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, ja, en)| lang.pick(ja, en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Choices without the aliases that repeat a code (for select boxes).
pub fn distinct_choices(choices: &'static [Choice]) -> Vec<&'static Choice> {
    let mut seen = Vec::new();
    choices
        .iter()
        .filter(|(code, _, _)| {
            if seen.contains(code) {
                false
            } else {
                seen.push(*code);
                true
            }
        })
        .collect()
}
