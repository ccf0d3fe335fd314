//! Governance (checklist 1-(1)): appointed roles, the printable role table, and the API.

pub mod api;
pub mod pages;
