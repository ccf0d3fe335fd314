//! A system's user export read into accounts: every EHR names its columns differently, so the
//! columns are mapped onto the ledger's fields — by a saved mapping, or by the common titles.
//! Validation and problem reporting are the ledgers' own.

use mimamori_domain::accounts::{Account, ColumnMapping, ACCOUNTS};
use mimamori_domain::ledger::register::References;

use crate::header::apply_mapping;
use crate::problem::{ImportProblem, Severity};
use crate::registers::{parse_records, record_table};
use crate::table::Sheet;
use crate::write::{Cell, Table};

#[derive(Debug, Clone, Default)]
pub struct AccountFile {
    pub accounts: Vec<(usize, Account)>,
    pub problems: Vec<ImportProblem>,
    /// The fields whose column the file has; the others keep their stored values.
    pub present: Vec<&'static str>,
}

impl AccountFile {
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }
}

/// The column titles of the file's header row (see [`crate::header::header_row`]).
pub fn file_headers(sheets: &[Sheet]) -> Vec<String> {
    sheets
        .first()
        .and_then(crate::header::header_row)
        .map(|(_, row)| {
            row.iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The mapping the ledger's own titles (Japanese, English, common aliases) give for `headers`.
pub fn guess_mapping(headers: &[String]) -> ColumnMapping {
    crate::header::guess_mapping(headers, &crate::registers::columns(&ACCOUNTS))
}

/// Reads a user export of `system`: with `mapping`, its columns are taken as mapped; without,
/// by the ledger's own titles. Rows with problems are reported with sheet, row, column, value.
pub fn parse_accounts(
    system: &str,
    sheets: &[Sheet],
    mapping: Option<&ColumnMapping>,
) -> AccountFile {
    let mapped;
    let columns = crate::registers::columns(&ACCOUNTS);
    let sheets = match mapping {
        Some(mapping) => match apply_mapping(sheets, mapping, &columns, ACCOUNTS.key_field) {
            Ok(rewritten) => {
                mapped = rewritten;
                &mapped[..]
            }
            Err(problem) => {
                return AccountFile {
                    problems: vec![*problem],
                    ..Default::default()
                }
            }
        },
        None => sheets,
    };
    let import = parse_records(&ACCOUNTS, sheets, &References::default());
    AccountFile {
        accounts: import
            .records
            .iter()
            .map(|(row, record)| (*row, Account::from_record(system, record)))
            .collect(),
        problems: import.problems,
        present: import.present,
    }
}

/// The account ledger as a table: システム, then the ledger's columns, then 持ち主の確認.
pub fn account_table(preamble: Vec<String>, accounts: &[Account]) -> Table {
    let records: Vec<_> = accounts.iter().map(Account::to_record).collect();
    let mut table = record_table(&ACCOUNTS, preamble, &records);
    table.headers.insert(0, "システム".into());
    table.widths.insert(0, 18.0);
    table.headers.push("持ち主の確認".into());
    table.widths.push(18.0);
    for (row, account) in table.rows.iter_mut().zip(accounts) {
        row.insert(0, Cell::text(&account.system));
        row.push(Cell::text(
            account.owner_state.label(mimamori_domain::i18n::Lang::Ja),
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::{csv, xlsx, Encoding};

    fn sheet(rows: &[&[&str]]) -> Vec<Sheet> {
        vec![Sheet {
            name: "users".into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }]
    }

    #[test]
    fn an_ehr_export_is_read_through_its_mapping() {
        let file = sheet(&[
            &["利用者一覧 2026/11/01"],
            &[
                "USERCODE",
                "KANJI_NAME",
                "SHOKUIN_NO",
                "AUTH",
                "ROLE_NAME",
                "LAST_LOGIN",
                "STATE",
                "MEMO",
            ],
            &[
                "d10234",
                "山田 太郎",
                "10234",
                "カルテ:更新",
                "医師",
                "2026/10/30",
                "有効",
                "x",
            ],
            &[
                "admin",
                "管理者",
                "",
                "システム管理:更新",
                "管理者",
                "令和6年1月5日",
                "無効",
                "",
            ],
            &[
                "n555",
                "看護 花子",
                "",
                "カルテ:全部",
                "看護師",
                "someday",
                "有効",
                "",
            ],
        ]);
        let mapping = ColumnMapping::columns(
            [
                ("login_id", "USERCODE"),
                ("display_name", "KANJI_NAME"),
                ("owners", "SHOKUIN_NO"),
                ("privileges", "AUTH"),
                ("role", "ROLE_NAME"),
                ("last_sign_in_on", "LAST_LOGIN"),
                ("status", "STATE"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        );
        let read = parse_accounts("電子カルテ", &file, Some(&mapping));
        assert_eq!(read.accounts.len(), 2);
        let (row, first) = &read.accounts[0];
        assert_eq!(*row, 3);
        assert_eq!(first.owners, ["10234"]);
        assert_eq!(first.last_sign_in_on.unwrap().to_string(), "2026-10-30");
        assert_eq!(read.accounts[1].1.status.code(), "suspended");
        let located: Vec<_> = read
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str(), p.value.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(
            located,
            [
                (5, "権限（情報区分）", "カルテ:全部", "invalid_privilege"),
                (5, "最終ログイン日", "someday", "invalid_date")
            ]
        );
        assert!(!read.problems[0].message_en.is_empty());

        let wrong = ColumnMapping::columns(
            [("login_id", "USERCODE"), ("role", "GROUP")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let refused = parse_accounts("電子カルテ", &file, Some(&wrong));
        assert_eq!(refused.problems[0].code, "unknown_mapped_column");
        assert!(refused.accounts.is_empty());
    }

    #[test]
    fn common_titles_need_no_mapping_and_exports_read_back() {
        let file = sheet(&[
            &["ログインID", "氏名", "権限", "管理者権限", "有効期限"],
            &["user01", "共用", "画像:参照", "", "2027/3/31"],
        ]);
        let headers = file_headers(&file);
        assert_eq!(
            headers[0], "ログインID",
            "the header, not a data row as wide"
        );
        assert_eq!(
            guess_mapping(&headers).0.get("login_id").unwrap(),
            "ログインID"
        );
        let read = parse_accounts("PACS", &file, None);
        assert_eq!(read.errors(), 0, "{:?}", read.problems);
        let accounts: Vec<_> = read.accounts.into_iter().map(|(_, a)| a).collect();
        let table = account_table(vec!["ID台帳".into()], &accounts);
        for bytes in [xlsx(&table).unwrap(), csv(&table, Encoding::Cp932).0] {
            let sheets = crate::read_tables(&bytes, "x", None).unwrap();
            let again = parse_accounts("PACS", &sheets, None);
            assert_eq!(again.errors(), 0, "{:?}", again.problems);
            assert_eq!(again.accounts[0].1, accounts[0]);
        }
    }
}
