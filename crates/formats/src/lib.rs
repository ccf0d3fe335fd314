//! Import and export in the files Japanese offices use: XLSX, and CSV in UTF-8 (with or without
//! BOM) or CP932. Knows the domain's types; no database, no HTTP.

pub mod accounts;
pub mod catalog;
pub mod checklist_export;
pub mod devices;
mod devices_export;
mod devices_stream;
pub mod feeds;
pub mod header;
pub mod preparedness;
pub mod problem;
pub mod registers;
pub mod rows;
pub mod table;
#[cfg(any(test, feature = "test-files"))]
pub mod test_files;
pub mod write;

pub use problem::{group_problems, problem_table, ImportProblem, ProblemGroup, Severity};
pub use table::{read_tables, Sheet, TableError};
