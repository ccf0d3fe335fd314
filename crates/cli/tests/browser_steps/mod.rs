//! Steps of the browser test, one file per feature.

pub mod accounts;
pub mod overview;
pub mod preparedness;
