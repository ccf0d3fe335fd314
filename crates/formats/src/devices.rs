//! The device ledger (機器台帳) in files: reading a facility's own Excel/CSV, writing the MHLW
//! example's layout. Rows repeating a 管理番号 add software to that device; interface columns
//! hold one value per line when a device has several network interfaces.

use std::collections::HashMap;

use chrono::NaiveDate;
use mimamori_domain::i18n::Lang;
use mimamori_domain::ledger::device::{Device, DeviceInput, InterfaceInput, SoftwareInput};
use mimamori_domain::validation::nfkc;
use mimamori_domain::Issue;

use crate::header::{find_header, ColumnSpec, HeaderMap};
use crate::problem::{ImportProblem, Severity};
use crate::table::Sheet;
use crate::write::{unneutralise, Cell, Table};

/// Columns in export order: the MHLW example's twelve first, then ours.
pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "management_no",
        titles: &[
            "管理番号",
            "機器番号",
            "資産番号",
            "機器管理番号",
            "management no",
            "management number",
            "asset no",
        ],
    },
    ColumnSpec {
        key: "maker",
        titles: &[
            "メーカー",
            "メーカ",
            "製造元",
            "製造業者",
            "maker",
            "manufacturer",
        ],
    },
    ColumnSpec {
        key: "os_name",
        titles: &[
            "OS",
            "OS名",
            "オペレーティングシステム",
            "os name",
            "operating system",
        ],
    },
    ColumnSpec {
        key: "software",
        titles: &[
            "ソフトウェア",
            "ソフトウェア名",
            "ソフト",
            "アプリケーション",
            "software",
            "software name",
            "application",
        ],
    },
    ColumnSpec {
        key: "software_version",
        titles: &[
            "ソフトウェアバージョン",
            "ソフトウェアのバージョン",
            "バージョン",
            "software version",
            "version",
        ],
    },
    ColumnSpec {
        key: "ip",
        titles: &["IPアドレス", "IP", "ip address"],
    },
    ColumnSpec {
        key: "hostname",
        titles: &[
            "コンピュータ名",
            "コンピューター名",
            "ホスト名",
            "端末名",
            "機器名",
            "computer name",
            "hostname",
            "host name",
        ],
    },
    ColumnSpec {
        key: "location",
        titles: &["設置場所", "場所", "設置部署", "設置先", "location"],
    },
    ColumnSpec {
        key: "users",
        titles: &["利用者", "使用者", "利用部署", "users", "user"],
    },
    ColumnSpec {
        key: "registered_on",
        titles: &[
            "登録日",
            "導入日",
            "設置日",
            "registered on",
            "registered",
            "installed on",
        ],
    },
    ColumnSpec {
        key: "status",
        titles: &["状態", "ステータス", "稼働状況", "status"],
    },
    ColumnSpec {
        key: "description",
        titles: &[
            "説明",
            "備考",
            "メモ",
            "description",
            "notes",
            "note",
            "remarks",
        ],
    },
    ColumnSpec {
        key: "kind",
        titles: &[
            "種別",
            "機器種別",
            "機器区分",
            "区分",
            "kind",
            "type",
            "device type",
        ],
    },
    ColumnSpec {
        key: "model",
        titles: &["型番", "型式", "機種", "モデル", "model"],
    },
    ColumnSpec {
        key: "serial",
        titles: &[
            "シリアル番号",
            "シリアル",
            "製造番号",
            "serial",
            "serial number",
        ],
    },
    ColumnSpec {
        key: "os_version",
        titles: &["OSバージョン", "OSのバージョン", "os version"],
    },
    ColumnSpec {
        key: "software_vendor",
        titles: &[
            "ソフトウェア提供元",
            "ソフトウェア事業者",
            "提供元",
            "software vendor",
            "software publisher",
        ],
    },
    ColumnSpec {
        key: "mac",
        titles: &["MACアドレス", "MAC", "mac address"],
    },
    ColumnSpec {
        key: "segment",
        titles: &[
            "ネットワーク",
            "ネットワークセグメント",
            "セグメント",
            "VLAN",
            "network",
            "segment",
            "network segment",
        ],
    },
    ColumnSpec {
        key: "disposed_on",
        titles: &["廃棄日", "disposed on", "disposal date"],
    },
    ColumnSpec {
        key: "remote_maintenance",
        titles: &[
            "リモートメンテナンス",
            "リモート保守",
            "リモートメンテナンス有無",
            "remote maintenance",
        ],
    },
    ColumnSpec {
        key: "security_measures",
        titles: &[
            "セキュリティ対策",
            "ウイルス対策",
            "security measures",
            "antivirus",
        ],
    },
    ColumnSpec {
        key: "auth_method",
        titles: &[
            "認証方式",
            "認証方法",
            "利用者認証",
            "authentication",
            "auth method",
        ],
    },
];

/// Columns describing the device itself: a repeated 管理番号 must not contradict them.
const DEVICE_KEYS: &[&str] = &[
    "kind",
    "maker",
    "model",
    "serial",
    "os_name",
    "os_version",
    "location",
    "users",
    "registered_on",
    "status",
    "disposed_on",
    "description",
    "remote_maintenance",
    "security_measures",
    "auth_method",
    "ip",
    "mac",
    "hostname",
    "segment",
];

const INTERFACE_KEYS: [&str; 4] = ["ip", "mac", "hostname", "segment"];

/// A device read from the file, with the row it starts on.
#[derive(Debug, Clone)]
pub struct ParsedDevice {
    pub row: usize,
    pub device: Device,
}

#[derive(Debug, Clone, Default)]
pub struct DeviceImport {
    pub devices: Vec<ParsedDevice>,
    pub problems: Vec<ImportProblem>,
}

impl DeviceImport {
    pub fn errors(&self) -> impl Iterator<Item = &ImportProblem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &ImportProblem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

/// One device's rows, gathered by 管理番号.
struct Group {
    first_row: usize,
    cells: HashMap<&'static str, String>,
    input: DeviceInput,
    failed: bool,
}

fn split_lines(text: &str) -> Vec<String> {
    text.split(['\n', ';', '；'])
        .map(|part| part.trim().to_string())
        .collect()
}

fn cell(header: &HeaderMap, row: &[String], key: &str) -> String {
    unneutralise(header.cell(row, key)).to_string()
}

fn interfaces(header: &HeaderMap, row: &[String]) -> Vec<InterfaceInput> {
    let raw = |key: &str| {
        header
            .index(key)
            .and_then(|i| row.get(i))
            .map(|s| unneutralise(s).to_string())
            .unwrap_or_default()
    };
    let [ip, mac, hostname, segment] = INTERFACE_KEYS.map(|k| split_lines(&raw(k)));
    let count = [ip.len(), mac.len(), hostname.len(), segment.len()]
        .into_iter()
        .max()
        .unwrap_or(0);
    let at = |list: &Vec<String>, i: usize| list.get(i).cloned().unwrap_or_default();
    (0..count)
        .map(|i| InterfaceInput {
            ip: at(&ip, i),
            mac: at(&mac, i),
            hostname: at(&hostname, i),
            segment: at(&segment, i),
        })
        .collect()
}

fn row_input(header: &HeaderMap, row: &[String]) -> DeviceInput {
    let c = |key: &str| cell(header, row, key);
    let software = if c("software").is_empty()
        && c("software_version").is_empty()
        && c("software_vendor").is_empty()
    {
        Vec::new()
    } else {
        vec![SoftwareInput {
            name: c("software"),
            version: c("software_version"),
            vendor: c("software_vendor"),
        }]
    };
    DeviceInput {
        management_no: c("management_no"),
        kind: c("kind"),
        maker: c("maker"),
        model: c("model"),
        serial: c("serial"),
        os_name: c("os_name"),
        os_version: c("os_version"),
        location: c("location"),
        users: c("users"),
        registered_on: c("registered_on"),
        status: c("status"),
        disposed_on: c("disposed_on"),
        description: c("description"),
        remote_maintenance: c("remote_maintenance"),
        security_measures: c("security_measures"),
        auth_method: c("auth_method"),
        software,
        interfaces: interfaces(header, row),
    }
}

/// Reads devices from the first sheet that has a device header row.
pub fn parse_devices(sheets: &[Sheet]) -> DeviceImport {
    let mut import = DeviceImport::default();
    let Some((sheet, header)) = sheets
        .iter()
        .find_map(|s| find_header(&s.rows, COLUMNS, "management_no").map(|h| (s, h)))
    else {
        let name = sheets.first().map(|s| s.name.as_str()).unwrap_or("");
        import.problems.push(ImportProblem::new(
            Severity::Error,
            name,
            1,
            "",
            "",
            &Issue::new("file", "no_header"),
        ));
        return import;
    };
    for (_, title) in &header.unknown {
        let issue = Issue::new("header", "unknown_header").with("value", title);
        import.problems.push(ImportProblem::new(
            Severity::Warning,
            &sheet.name,
            header.row + 1,
            title,
            title,
            &issue,
        ));
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    for (index, row) in sheet.rows.iter().enumerate().skip(header.row + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row_no = index + 1;
        let input = row_input(&header, row);
        let cells: HashMap<&'static str, String> = COLUMNS
            .iter()
            .map(|spec| (spec.key, cell(&header, row, spec.key)))
            .collect();
        let number = nfkc(input.management_no.trim());
        let existing = if number.is_empty() {
            None
        } else {
            by_number.get(&number).copied()
        };
        let Some(position) = existing else {
            if !number.is_empty() {
                by_number.insert(number, groups.len());
            }
            groups.push(Group {
                first_row: row_no,
                cells,
                input,
                failed: false,
            });
            continue;
        };
        let group = &mut groups[position];
        for key in DEVICE_KEYS {
            let (new, old) = (&cells[key], &group.cells[key]);
            if !new.is_empty() && nfkc(new) != nfkc(old) {
                let title = header.title(key).unwrap_or(key);
                let issue = Issue::new("management_no", "duplicate_management_no")
                    .with("value", &input.management_no)
                    .with("column", title);
                import.problems.push(ImportProblem::new(
                    Severity::Error,
                    &sheet.name,
                    row_no,
                    title,
                    new,
                    &issue,
                ));
                group.failed = true;
            }
        }
        group.input.software.extend(input.software);
    }
    for group in groups {
        if group.failed {
            continue;
        }
        match group.input.validate() {
            Ok(checked) => {
                for warning in &checked.warnings {
                    import.problems.push(problem(
                        Severity::Warning,
                        sheet,
                        &header,
                        &group,
                        warning,
                    ));
                }
                import.devices.push(ParsedDevice {
                    row: group.first_row,
                    device: checked.device,
                });
            }
            Err(issues) => {
                for issue in &issues.0 {
                    import
                        .problems
                        .push(problem(Severity::Error, sheet, &header, &group, issue));
                }
            }
        }
    }
    import
        .problems
        .sort_by_key(|p| (p.row, p.severity == Severity::Warning));
    import
}

fn problem(
    severity: Severity,
    sheet: &Sheet,
    header: &HeaderMap,
    group: &Group,
    issue: &Issue,
) -> ImportProblem {
    let key = if issue.field == "software" {
        "software"
    } else {
        issue.field
    };
    let column = header.title(key).unwrap_or("").to_string();
    let value = issue
        .params
        .iter()
        .find(|(name, _)| *name == "value")
        .map(|(_, v)| v.clone())
        .or_else(|| group.cells.get(key).cloned())
        .unwrap_or_default();
    ImportProblem::new(
        severity,
        &sheet.name,
        group.first_row,
        &column,
        &value,
        issue,
    )
}

/// The header block's facts: facility, last update, last update by, last confirmation.
pub struct LedgerHeader {
    pub title: String,
    pub facility: String,
    pub last_updated: Option<String>,
    pub last_updated_by: Option<String>,
    pub last_confirmed: Option<String>,
}

/// The device ledger as a table in the MHLW layout (Japanese headers), one row per software.
pub fn device_table(header: &LedgerHeader, devices: &[Device]) -> Table {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let preamble = vec![
        header.title.clone(),
        format!("施設名：{}", header.facility),
        format!(
            "最終更新日：{}　最終更新者：{}",
            dash(&header.last_updated),
            dash(&header.last_updated_by)
        ),
        format!("最終確認：{}", dash(&header.last_confirmed)),
    ];
    let headers = COLUMNS.iter().map(|c| c.titles[0].to_string()).collect();
    let widths = COLUMNS
        .iter()
        .map(|c| match c.key {
            "management_no" | "status" | "kind" | "remote_maintenance" => 10.0,
            "registered_on" | "disposed_on" | "os_name" | "os_version" | "software_version" => 12.0,
            "ip" | "hostname" | "mac" | "segment" | "maker" | "model" | "serial" => 16.0,
            "software" | "location" | "users" | "security_measures" | "auth_method"
            | "software_vendor" => 20.0,
            _ => 30.0,
        })
        .collect();
    let mut rows = Vec::new();
    for device in devices {
        let software_rows = device.software.len().max(1);
        for i in 0..software_rows {
            let software = device.software.get(i);
            rows.push(
                COLUMNS
                    .iter()
                    .map(|c| device_cell(device, software, c.key))
                    .collect(),
            );
        }
    }
    Table {
        sheet_name: "機器台帳".into(),
        preamble,
        headers,
        widths,
        rows,
    }
}

fn joined(
    device: &Device,
    pick: impl Fn(&mimamori_domain::ledger::device::Interface) -> &Option<String>,
) -> Cell {
    if device.interfaces.is_empty() {
        return Cell::Empty;
    }
    let text = device
        .interfaces
        .iter()
        .map(|i| pick(i).clone().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    if text.trim().is_empty() {
        Cell::Empty
    } else {
        Cell::Text(text)
    }
}

fn date(value: Option<NaiveDate>) -> Cell {
    value.map(Cell::Date).unwrap_or(Cell::Empty)
}

fn device_cell(
    d: &Device,
    software: Option<&mimamori_domain::ledger::device::Software>,
    key: &str,
) -> Cell {
    match key {
        "management_no" => Cell::text(&d.management_no),
        "maker" => Cell::opt(&d.maker),
        "os_name" => Cell::opt(&d.os_name),
        "software" => software.map(|s| Cell::text(&s.name)).unwrap_or(Cell::Empty),
        "software_version" => software
            .map(|s| Cell::opt(&s.version))
            .unwrap_or(Cell::Empty),
        "software_vendor" => software
            .map(|s| Cell::opt(&s.vendor))
            .unwrap_or(Cell::Empty),
        "ip" => joined(d, |i| &i.ip),
        "hostname" => joined(d, |i| &i.hostname),
        "mac" => joined(d, |i| &i.mac),
        "segment" => joined(d, |i| &i.segment),
        "location" => Cell::opt(&d.location),
        "users" => Cell::opt(&d.users),
        "registered_on" => date(d.registered_on),
        "status" => Cell::text(d.status.label(Lang::Ja)),
        "description" => Cell::opt(&d.description),
        "kind" => Cell::text(d.kind.label(Lang::Ja)),
        "model" => Cell::opt(&d.model),
        "serial" => Cell::opt(&d.serial),
        "os_version" => Cell::opt(&d.os_version),
        "disposed_on" => date(d.disposed_on),
        "remote_maintenance" => Cell::text(if d.remote_maintenance { "有" } else { "無" }),
        "security_measures" => Cell::opt(&d.security_measures),
        "auth_method" => Cell::opt(&d.auth_method),
        _ => Cell::Empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Vec<Sheet> {
        vec![Sheet {
            name: "台帳".into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }]
    }

    const MHLW_HEADER: &[&str] = &[
        "管理番号",
        "メーカー",
        "OS",
        "ソフトウェア",
        "ソフトウェアバージョン",
        "IPアドレス",
        "コンピュータ名",
        "設置場所",
        "利用者",
        "登録日",
        "状態",
        "説明",
    ];

    #[test]
    fn the_mhlw_example_reads_with_masked_ip_warnings() {
        let import = parse_devices(&sheet(&[
            &["最終更新日：2024年7月1日"],
            &[],
            MHLW_HEADER,
            &[
                "001",
                "A社",
                "Win11",
                "〇〇電子カルテ",
                "2.0",
                "192.168.〇.〇",
                "Room1のPC1",
                "Room1",
                "a医師 (〇〇科)",
                "2020/12/1",
                "稼働",
                "",
            ],
            &[
                "002",
                "A社",
                "Win11",
                "〇〇電子カルテ",
                "1.2",
                "192.168.〇.〇",
                "Room1のPC2",
                "Room1",
                "b医師 (〇〇科)",
                "2020/12/1",
                "停止",
                "メンテナンス",
            ],
        ]));
        assert_eq!(import.devices.len(), 2);
        assert!(!import.has_errors());
        assert_eq!(import.warnings().count(), 2);
        assert_eq!(import.warnings().next().unwrap().row, 4);
        assert_eq!(import.warnings().next().unwrap().column, "IPアドレス");
    }

    #[test]
    fn repeated_numbers_add_software_but_must_not_conflict() {
        let import = parse_devices(&sheet(&[
            &["management no", "hostname", "software", "version"],
            &["１", "pc-1", "EHR", "2.0"],
            &["1", "", "Office", "2021"],
            &["2", "pc-2", "EHR", "2.0"],
            &["2", "pc-X", "Office", "2021"],
        ]));
        assert_eq!(import.devices.len(), 1);
        assert_eq!(import.devices[0].device.software.len(), 2);
        let error = import.errors().next().unwrap();
        assert_eq!(
            (error.row, error.column.as_str(), error.value.as_str()),
            (5, "hostname", "pc-X")
        );
    }

    #[test]
    fn export_then_parse_gives_the_same_devices() {
        let import = parse_devices(&sheet(&[
            &[
                "管理番号",
                "種別",
                "IPアドレス",
                "コンピュータ名",
                "ソフトウェア",
                "説明",
                "登録日",
            ],
            &[
                "S-1",
                "サーバ",
                "10.0.0.1\n192.168.1.1",
                "ehr-db\nehr-db-b",
                "DB",
                "=danger",
                "R2.4.1",
            ],
            &["S-1", "", "", "", "Backup", "", ""],
        ]));
        assert!(!import.has_errors(), "{:?}", import.problems);
        let devices: Vec<Device> = import.devices.iter().map(|p| p.device.clone()).collect();
        let header = LedgerHeader {
            title: "機器台帳".into(),
            facility: "F".into(),
            last_updated: None,
            last_updated_by: None,
            last_confirmed: None,
        };
        let table = device_table(&header, &devices);
        let (bytes, _) = crate::write::csv(&table, crate::write::Encoding::Cp932);
        let again = parse_devices(&crate::table::read_tables(&bytes, "x.csv", None).unwrap());
        assert!(!again.has_errors(), "{:?}", again.problems);
        let round: Vec<Device> = again.devices.iter().map(|p| p.device.clone()).collect();
        assert_eq!(round, devices);
        assert_eq!(round[0].interfaces.len(), 2);
        let xlsx = crate::write::xlsx(&table).unwrap();
        let from_xlsx = parse_devices(&crate::table::read_tables(&xlsx, "x.xlsx", None).unwrap());
        assert_eq!(
            from_xlsx
                .devices
                .iter()
                .map(|p| p.device.clone())
                .collect::<Vec<_>>(),
            devices
        );
    }
}
