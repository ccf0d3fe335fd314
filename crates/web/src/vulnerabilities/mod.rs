//! Vulnerabilities and end of life: the facility report and the feeds, through the use-cases of
//! `mimamori_app` (the CLI calls the same ones).

pub mod api;
