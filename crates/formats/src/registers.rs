//! Registers (vendors, systems, cloud services, remote maintenance) in files, driven by their
//! field specs: one reader and one writer for all four.

use std::collections::{BTreeMap, HashMap};

use mimamori_domain::ledger::register::{FieldKind, Record, References, RegisterSpec};
use mimamori_domain::validation::search_key;
use mimamori_domain::Issue;

use crate::header::{apply_mapping, find_header, skipped_problem, skipped_row, ColumnSpec};
use crate::problem::{ImportProblem, Severity};
use crate::table::Sheet;
use crate::write::{unneutralise, Cell, Table};
use mimamori_domain::accounts::ColumnMapping;

#[derive(Debug, Clone, Default)]
pub struct RecordImport {
    pub records: Vec<(usize, Record)>,
    pub problems: Vec<ImportProblem>,
    /// The fields whose column the file has; the others keep their stored values.
    pub present: Vec<&'static str>,
}

impl RecordImport {
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .count()
    }
}

/// A register's fields as the header reader's columns.
pub fn columns(spec: &RegisterSpec) -> Vec<ColumnSpec> {
    spec.fields
        .iter()
        .map(|f| ColumnSpec {
            key: f.key,
            titles: f.titles,
        })
        .collect()
}

pub fn parse_records(
    spec: &RegisterSpec,
    sheets: &[Sheet],
    references: &References,
) -> RecordImport {
    parse_records_mapped(spec, sheets, references, None)
}

/// [`parse_records`] with the file's columns mapped onto the register's fields by a person.
pub fn parse_records_mapped(
    spec: &RegisterSpec,
    sheets: &[Sheet],
    references: &References,
    mapping: Option<&ColumnMapping>,
) -> RecordImport {
    let mut import = RecordImport::default();
    let specs = columns(spec);
    let mapped;
    let sheets = match mapping {
        Some(mapping) => match apply_mapping(sheets, mapping, &specs, spec.key_field) {
            Ok(rewritten) => {
                mapped = rewritten;
                &mapped[..]
            }
            Err(problem) => {
                import.problems.push(*problem);
                return import;
            }
        },
        None => sheets,
    };
    let Some((sheet, header)) = sheets
        .iter()
        .find_map(|s| find_header(&s.rows, &specs, spec.key_field).map(|h| (s, h)))
    else {
        let name = sheets.first().map(|s| s.name.as_str()).unwrap_or("");
        import.problems.push(ImportProblem::new(
            Severity::Error,
            name,
            1,
            "",
            "",
            &Issue::new("file", "no_header").with(
                "title",
                spec.field(spec.key_field)
                    .map(|f| f.titles[0])
                    .unwrap_or(""),
            ),
        ));
        return import;
    };
    import.problems.extend(header.problems(&sheet.name));
    import.present = header.present();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut data_rows = 0;
    for (index, row) in sheet.rows.iter().enumerate().skip(header.row + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row_no = index + 1;
        if let Some(code) = skipped_row(row) {
            import
                .problems
                .push(skipped_problem(&sheet.name, row_no, code, row));
            continue;
        }
        data_rows += 1;
        let raw: BTreeMap<String, String> = spec
            .fields
            .iter()
            .map(|f| {
                (
                    f.key.to_string(),
                    unneutralise(header.cell(row, f.key)).to_string(),
                )
            })
            .collect();
        let located = |severity, issue: &Issue| {
            let column = header.title(issue.field).unwrap_or("").to_string();
            let value = issue
                .params
                .iter()
                .find(|(n, _)| *n == "value")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| raw.get(issue.field).cloned().unwrap_or_default());
            ImportProblem::new(severity, &sheet.name, row_no, &column, &value, issue)
        };
        let key = search_key(raw.get(spec.key_field).map(|s| s.trim()).unwrap_or(""));
        if !key.is_empty() {
            if let Some(first) = seen.get(&key) {
                let issue = Issue::new(spec.key_field, "duplicate_key")
                    .with("value", raw[spec.key_field].trim())
                    .with("row", first);
                import.problems.push(located(Severity::Error, &issue));
                continue;
            }
            seen.insert(key, row_no);
        }
        match spec.validate(&raw, references) {
            Ok(checked) => {
                import.problems.extend(
                    checked
                        .warnings
                        .iter()
                        .map(|w| located(Severity::Warning, w)),
                );
                import.records.push((row_no, checked.record));
            }
            Err(issues) => import
                .problems
                .extend(issues.0.iter().map(|i| located(Severity::Error, i))),
        }
    }
    if data_rows == 0 {
        import.problems.push(no_data_rows(&sheet.name, header.row));
    }
    import
}

/// The error for a file with a header and nothing under it, at the row below the header.
pub(crate) fn no_data_rows(sheet: &str, header_row: usize) -> ImportProblem {
    ImportProblem::new(
        Severity::Error,
        sheet,
        header_row + 2,
        "",
        "",
        &Issue::new("file", "no_data_rows"),
    )
}

/// The register as a table: Japanese titles, choices and flags in Japanese, dates as dates.
pub fn record_table(spec: &RegisterSpec, preamble: Vec<String>, records: &[Record]) -> Table {
    let headers = spec
        .fields
        .iter()
        .map(|f| f.titles[0].to_string())
        .collect();
    let widths = spec
        .fields
        .iter()
        .map(|f| match f.kind {
            FieldKind::Flag | FieldKind::Date | FieldKind::Choice(_) => 14.0,
            FieldKind::LongText | FieldKind::DeviceNumbers | FieldKind::Privileges => 36.0,
            _ => 22.0,
        })
        .collect();
    let rows = records
        .iter()
        .map(|record| {
            spec.fields
                .iter()
                .map(|f| match (record.get(f.key), f.kind) {
                    (None, _) => Cell::Empty,
                    (Some(value), FieldKind::Date) => {
                        chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                            .map(Cell::Date)
                            .unwrap_or_else(|_| Cell::text(value))
                    }
                    (Some(value), _) => Cell::text(f.file_value(value)),
                })
                .collect()
        })
        .collect();
    Table {
        sheet_name: spec.title_ja.to_string(),
        preamble,
        headers,
        widths,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use mimamori_domain::ledger::registers::{CLOUD_SERVICES, REMOTE_MAINTENANCE};

    use super::*;
    use crate::write::{csv, xlsx, Encoding};

    fn sheet(rows: &[&[&str]]) -> Vec<Sheet> {
        vec![Sheet {
            name: "クラウド".into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }]
    }

    #[test]
    fn seed_002_cloud_columns_import_and_round_trip() {
        let import = parse_records(
            &CLOUD_SERVICES,
            &sheet(&[
                &["■ クラウドサービスの場合の例"],
                &[
                    "サービス提供事業者",
                    "サービス名称/用途",
                    "ドメイン/アドレス",
                    "利用場所/アクセス経路",
                    "利用者/グループ",
                    "利用者認証方法",
                    "利用開始日",
                    "利用状況",
                ],
                &[
                    "C社",
                    "Web予約",
                    "yoyaku.example.jp",
                    "受付PCからインターネット",
                    "受付",
                    "ID・パスワード",
                    "令和5年4月1日",
                    "利用中",
                ],
                &["D社", "Web予約", "", "", "", "", "", ""],
            ]),
            &References::default(),
        );
        assert_eq!(import.records.len(), 1);
        assert_eq!(import.errors(), 1, "second row repeats the key");
        assert_eq!(import.problems[0].row, 4);
        let records: Vec<Record> = import.records.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(records[0].get("status"), Some("in_use"));
        let table = record_table(
            &CLOUD_SERVICES,
            vec!["クラウドサービス台帳".into()],
            &records,
        );
        for bytes in [xlsx(&table).unwrap(), csv(&table, Encoding::Cp932).0] {
            let again = parse_records(
                &CLOUD_SERVICES,
                &crate::read_tables(&bytes, "x", None).unwrap(),
                &References::default(),
            );
            assert_eq!(
                again
                    .records
                    .iter()
                    .map(|(_, r)| r.clone())
                    .collect::<Vec<_>>(),
                records
            );
        }
    }

    #[test]
    fn problems_name_the_column_and_value() {
        let import = parse_records(
            &REMOTE_MAINTENANCE,
            &sheet(&[
                &["接続名", "接続経路", "二要素認証"],
                &["PACS保守", "伝書鳩", "はい"],
            ]),
            &References::default(),
        );
        let problem = &import.problems[0];
        assert_eq!(
            (
                problem.row,
                problem.column.as_str(),
                problem.value.as_str(),
                problem.code.as_str()
            ),
            (2, "接続経路", "伝書鳩", "invalid_choice")
        );
        assert!(problem.message_ja.contains("専用線"));
    }
}
