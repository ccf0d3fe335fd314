//! The MHLW checklist: catalogue model, answers, what the ledgers suggest, inspection readiness.

mod answer;
mod catalog;
mod readiness;
mod suggest;

pub use answer::{fiscal_year_bounds, Answer, AnswerInput, ItemAnswer};
pub use catalog::{
    edition_code, Condition, Edition, Form, Item, Mandatory, Origin, Scope, TextStatus,
};
pub use readiness::{item_gaps, Gap};
pub use suggest::{suggest, Suggestion};

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
