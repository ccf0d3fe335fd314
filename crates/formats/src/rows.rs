//! Where an import's rows come from: sheets held in memory, or a file read a row at a time
//! (which an import reads twice: once for the 管理番号 of every row, once for the records).

use crate::table::{Flow, OnRow, Sheet, TableError, TableFile};

/// Rows that can be read, in order, as often as needed.
pub trait RowSource {
    /// Calls `on` with the rows (sheet name, 0-based index, cells) of the sheet `sheet`, or of
    /// every sheet, until the end or until `on` stops.
    fn each_row(&mut self, sheet: Option<&str>, on: &mut OnRow<'_>) -> Result<(), TableError>;
}

impl RowSource for TableFile {
    fn each_row(&mut self, sheet: Option<&str>, on: &mut OnRow<'_>) -> Result<(), TableError> {
        TableFile::each_row(self, sheet, on)
    }
}

/// Sheets already read.
pub struct HeldRows<'s>(pub &'s [Sheet]);

impl RowSource for HeldRows<'_> {
    fn each_row(&mut self, sheet: Option<&str>, on: &mut OnRow<'_>) -> Result<(), TableError> {
        for held in self.0.iter().filter(|s| sheet.is_none_or(|n| n == s.name)) {
            for (index, row) in held.rows.iter().enumerate() {
                match on(&held.name, index, row.clone())? {
                    Flow::Continue => {}
                    Flow::NextSheet => break,
                    Flow::Stop => return Ok(()),
                }
            }
        }
        Ok(())
    }
}

/// The first `rows` rows of every sheet (or of `sheet`) (every sheet is listed, an empty one with no rows):
/// what finding the header row and remembering a file's shape look at.
pub fn head(
    source: &mut dyn RowSource,
    sheet: Option<&str>,
    names: &[String],
    rows: usize,
) -> Result<Vec<Sheet>, TableError> {
    let mut sheets: Vec<Sheet> = names
        .iter()
        .map(|name| Sheet {
            name: name.clone(),
            rows: Vec::new(),
        })
        .collect();
    source.each_row(sheet, &mut |name, index, cells| {
        if index >= rows {
            return Ok(Flow::NextSheet);
        }
        let sheet = crate::table::sheet_named(&mut sheets, name);
        if sheet.rows.len() <= index {
            sheet.rows.resize_with(index + 1, Vec::new);
        }
        sheet.rows[index] = cells;
        Ok(Flow::Continue)
    })?;
    Ok(sheets)
}
