//! The device ledger (機器台帳) in files: reading a facility's own Excel/CSV, writing the MHLW
//! example's layout. Rows repeating a 管理番号 add software to that device; interface columns
//! hold one value per line when a device has several network interfaces.

use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::ledger::device::{Device, DeviceInput, InterfaceInput, SoftwareInput};

use crate::header::{ColumnSpec, HeaderMap};
use crate::problem::{ImportProblem, Severity};
use crate::table::{Flow, Sheet};
use crate::write::unneutralise;

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
            "メーカー名",
            "メーカ名",
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
            "PC名",
            "パソコン名",
            "端末名称",
            "コンピュータ名称",
            "computer name",
            "hostname",
            "host name",
        ],
    },
    ColumnSpec {
        key: "location",
        titles: &[
            "設置場所",
            "場所",
            "設置部署",
            "設置部門",
            "設置先",
            "設置場所部署",
            "所在",
            "location",
        ],
    },
    ColumnSpec {
        key: "users",
        titles: &[
            "利用者",
            "使用者",
            "利用部署",
            "使用部署",
            "利用者名",
            "使用者名",
            "users",
            "user",
        ],
    },
    ColumnSpec {
        key: "registered_on",
        titles: &[
            "登録日",
            "導入日",
            "設置日",
            "購入日",
            "導入年月日",
            "購入年月日",
            "設置年月日",
            "登録年月日",
            "registered on",
            "registered",
            "installed on",
        ],
    },
    ColumnSpec {
        key: "status",
        titles: &[
            "状態",
            "ステータス",
            "稼働状況",
            "稼働状態",
            "使用状況",
            "利用状況",
            "status",
        ],
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
        titles: &[
            "型番",
            "型式",
            "機種",
            "機種名",
            "型名",
            "製品名",
            "モデル",
            "model",
            "model name",
        ],
    },
    ColumnSpec {
        key: "serial",
        titles: &[
            "シリアル番号",
            "シリアル",
            "シリアルNo",
            "S/N",
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
pub(crate) const DEVICE_KEYS: &[&str] = &[
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
    /// The fields whose column the file has; the others keep their stored values.
    pub present: Vec<&'static str>,
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

fn split_lines(text: &str) -> Vec<String> {
    text.split(['\n', ';', '；'])
        .map(|part| part.trim().to_string())
        .collect()
}

pub(crate) fn cell(header: &HeaderMap, row: &[String], key: &str) -> String {
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

/// The software a row names (none when its software cells are empty).
pub(crate) fn row_software(header: &HeaderMap, row: &[String]) -> Option<SoftwareInput> {
    let c = |key: &str| cell(header, row, key);
    let (name, version, vendor) = (c("software"), c("software_version"), c("software_vendor"));
    if name.is_empty() && version.is_empty() && vendor.is_empty() {
        return None;
    }
    Some(SoftwareInput {
        name,
        version,
        vendor,
    })
}

pub(crate) fn row_input(header: &HeaderMap, row: &[String]) -> DeviceInput {
    let c = |key: &str| cell(header, row, key);
    let software = row_software(header, row).into_iter().collect();
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
    parse_devices_mapped(sheets, None)
}

/// [`parse_devices`] with the file's columns mapped onto the ledger's fields by a person
/// (field key → the file's column title); without a mapping, by the ledger's own titles.
pub fn parse_devices_mapped(sheets: &[Sheet], mapping: Option<&ColumnMapping>) -> DeviceImport {
    let mut import = DeviceImport::default();
    let header = match DeviceHeader::find(sheets, mapping) {
        Ok(header) => header,
        Err(problem) => {
            import.problems.push(*problem);
            return import;
        }
    };
    import.present = header.present();
    let mut rows = crate::rows::HeldRows(sheets);
    let read = header.stream(&mut rows, usize::MAX, &mut |chunk| {
        import.devices.extend(chunk.devices);
        import.problems.extend(chunk.problems);
        Flow::Continue
    });
    if let Err(error) = read {
        import
            .problems
            .push(ImportProblem::from_table_error(&error));
    }
    import
        .problems
        .sort_by_key(|p| (p.row, p.severity == Severity::Warning));
    import
}

pub use crate::devices_export::{device_rows, device_sheet, device_table, LedgerHeader};
pub use crate::devices_stream::{DeviceChunk, DeviceHeader};

#[cfg(test)]
#[path = "devices_tests.rs"]
mod tests;
