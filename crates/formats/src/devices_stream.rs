//! Reading the device ledger a chunk of devices at a time, in memory that does not grow with
//! the file. Rows repeating a 管理番号 add software to one device wherever they are in the
//! sheet, so the sheet is read twice: first only each row's 管理番号 (which rows make up each
//! device, and which row is its last), then the rows themselves, each device handed on once its
//! last row is read. A sheet whose devices' rows are together holds one device at a time.

use std::collections::HashMap;

use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::ledger::device::SoftwareInput;
use mimamori_domain::ledger::values::ValueMapping;
use mimamori_domain::validation::nfkc;
use mimamori_domain::Issue;

use crate::devices::{cell, row_input, row_software, ParsedDevice, COLUMNS, DEVICE_KEYS};
use crate::header::{
    apply_mapping, find_header_with, map_values, skipped_problem, skipped_row, HeaderMap,
    ROW_NUMBER_TITLES,
};
use crate::problem::{ImportProblem, Severity};
use crate::registers::no_data_rows;
use crate::rows::RowSource;
use crate::table::{Flow, Sheet, TableError};
use crate::write::unneutralise;

/// Devices read from consecutive parts of the file, with the problems found on the way.
#[derive(Debug, Default)]
pub struct DeviceChunk {
    pub devices: Vec<ParsedDevice>,
    pub problems: Vec<ImportProblem>,
}

/// The device header row of a file: which sheet, which columns, and what the header itself says.
pub struct DeviceHeader {
    sheet: String,
    header: HeaderMap,
    /// The file's own words for choices, and the columns (index, field) they are in.
    values: ValueMapping,
    worded: Vec<(usize, &'static str)>,
}

/// A row that is no device's (blank, a total, a rule).
const NO_DEVICE: u32 = u32::MAX;

/// Where one device's rows are: its first and its last, by index in the sheet.
#[derive(Clone, Copy)]
struct Span {
    first: usize,
    last: usize,
}

/// A device whose first row is read and whose last row is not yet.
struct Pending {
    first: Vec<String>,
    software: Vec<SoftwareInput>,
    failed: bool,
}

impl DeviceHeader {
    /// Finds the header in the first rows of the sheets (`head`: see [`crate::rows::head`]);
    /// with `mapping`, the first sheet's columns are read as a person mapped them.
    pub fn find(
        head: &[Sheet],
        mapping: Option<&ColumnMapping>,
    ) -> Result<Self, Box<ImportProblem>> {
        let mapped;
        let sheets = match mapping {
            Some(mapping) => {
                mapped = apply_mapping(head, mapping, COLUMNS, "management_no")?;
                &mapped[..]
            }
            None => head,
        };
        let found = sheets.iter().find_map(|s| {
            find_header_with(&s.rows, COLUMNS, "management_no", ROW_NUMBER_TITLES).map(|h| (s, h))
        });
        match found {
            Some((sheet, header)) => {
                let values = mapping.map(|m| m.1.clone()).unwrap_or_default();
                let worded = header
                    .columns
                    .iter()
                    .filter(|(key, _, _)| values.0.contains_key(*key))
                    .map(|(key, index, _)| (*index, *key))
                    .collect();
                Ok(DeviceHeader {
                    sheet: sheet.name.clone(),
                    header,
                    values,
                    worded,
                })
            }
            None => {
                let name = sheets.first().map(|s| s.name.as_str()).unwrap_or("");
                Err(Box::new(ImportProblem::new(
                    Severity::Error,
                    name,
                    1,
                    "",
                    "",
                    &Issue::new("file", "no_header").with("title", "管理番号"),
                )))
            }
        }
    }

    /// The fields whose column the file has; the others keep their stored values.
    pub fn present(&self) -> Vec<&'static str> {
        self.header.present()
    }

    /// Reads the devices below the header, handing them to `on_chunk` `chunk` at a time (the
    /// last chunk holds the rest and every remaining problem, and comes even when empty). A
    /// fault of the file is found in the first reading, before any device is handed on.
    pub fn stream(
        &self,
        rows: &mut dyn RowSource,
        chunk: usize,
        on_chunk: &mut dyn FnMut(DeviceChunk) -> Flow,
    ) -> Result<(), TableError> {
        let header = &self.header;
        let first_data = header.row + 1;
        let mut spans: Vec<Span> = Vec::new();
        // Each row's device (by index below the header), or NO_DEVICE.
        let mut row_device: Vec<u32> = Vec::new();
        let mut out = DeviceChunk {
            problems: header.problems(&self.sheet),
            ..Default::default()
        };
        {
            let mut by_number: HashMap<String, u32> = HashMap::new();
            rows.each_row(Some(&self.sheet), &mut |_, index, cells| {
                if index < first_data {
                    return Ok(Flow::Continue);
                }
                let offset = index - first_data;
                if row_device.len() < offset {
                    row_device.resize(offset, NO_DEVICE);
                }
                if cells.iter().all(|c| c.trim().is_empty()) {
                    row_device.push(NO_DEVICE);
                    return Ok(Flow::Continue);
                }
                if let Some(code) = skipped_row(&cells) {
                    out.problems
                        .push(skipped_problem(&self.sheet, index + 1, code, &cells));
                    row_device.push(NO_DEVICE);
                    return Ok(Flow::Continue);
                }
                let number = nfkc(unneutralise(header.cell(&cells, "management_no")).trim());
                let next = spans.len() as u32;
                let device = if number.is_empty() {
                    next
                } else {
                    *by_number.entry(number).or_insert(next)
                };
                if device == next {
                    spans.push(Span {
                        first: index,
                        last: index,
                    });
                } else {
                    spans[device as usize].last = index;
                }
                row_device.push(device);
                Ok(Flow::Continue)
            })?;
        }
        if spans.is_empty() {
            out.problems.push(no_data_rows(&self.sheet, header.row));
            on_chunk(out);
            return Ok(());
        }
        let mut pending: HashMap<u32, Pending> = HashMap::new();
        let mut stopped = false;
        rows.each_row(Some(&self.sheet), &mut |_, index, mut cells| {
            let Some(&device) = index
                .checked_sub(first_data)
                .and_then(|offset| row_device.get(offset))
            else {
                return Ok(Flow::Continue);
            };
            if device == NO_DEVICE {
                return Ok(Flow::Continue);
            }
            map_values(&self.values, &self.worded, &mut cells);
            let span = spans[device as usize];
            if span.first == index {
                pending.insert(
                    device,
                    Pending {
                        first: cells,
                        software: Vec::new(),
                        failed: false,
                    },
                );
            } else if let Some(open) = pending.get_mut(&device) {
                self.agree(open, &cells, index + 1, &mut out.problems);
                open.software.extend(row_software(header, &cells));
            }
            if span.last == index {
                if let Some(done) = pending.remove(&device) {
                    self.finish(done, span.first + 1, &mut out);
                }
                if out.devices.len() >= chunk && on_chunk(std::mem::take(&mut out)) == Flow::Stop {
                    stopped = true;
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        })?;
        if !stopped {
            on_chunk(out);
        }
        Ok(())
    }

    /// A later row of a device repeats its cells as they are: a cell that says otherwise is an
    /// error, and the device is not read.
    fn agree(
        &self,
        open: &mut Pending,
        cells: &[String],
        row_no: usize,
        problems: &mut Vec<ImportProblem>,
    ) {
        let header = &self.header;
        for key in DEVICE_KEYS {
            let new = unneutralise(header.cell(cells, key));
            let old = unneutralise(header.cell(&open.first, key));
            // Equal text needs no NFKC (which, for every cell of 50,000 software rows, was a
            // quarter of the checking).
            if !new.is_empty() && new != old && nfkc(new) != nfkc(old) {
                let title = header.title(key).unwrap_or(key);
                let issue = Issue::new("management_no", "duplicate_management_no")
                    .with("value", header.cell(cells, "management_no"))
                    .with("column", title);
                problems.push(ImportProblem::new(
                    Severity::Error,
                    &self.sheet,
                    row_no,
                    title,
                    new,
                    &issue,
                ));
                open.failed = true;
            }
        }
    }

    /// Checks a device whose rows are all read: the device, or its problems.
    fn finish(&self, done: Pending, first_row: usize, out: &mut DeviceChunk) {
        if done.failed {
            return;
        }
        let mut input = row_input(&self.header, &done.first);
        input.software.extend(done.software);
        match input.validate() {
            Ok(checked) => {
                for warning in &checked.warnings {
                    out.problems.push(self.problem(
                        Severity::Warning,
                        &done.first,
                        first_row,
                        warning,
                    ));
                }
                out.devices.push(ParsedDevice {
                    row: first_row,
                    device: checked.device,
                });
            }
            Err(issues) => {
                for issue in &issues.0 {
                    out.problems
                        .push(self.problem(Severity::Error, &done.first, first_row, issue));
                }
            }
        }
    }

    fn problem(
        &self,
        severity: Severity,
        first: &[String],
        first_row: usize,
        issue: &Issue,
    ) -> ImportProblem {
        let key = if issue.field == "software" {
            "software"
        } else {
            issue.field
        };
        let column = self.header.title(key).unwrap_or("").to_string();
        let value = issue
            .params
            .iter()
            .find(|(name, _)| *name == "value")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| cell(&self.header, first, key));
        ImportProblem::new(severity, &self.sheet, first_row, &column, &value, issue)
    }
}
