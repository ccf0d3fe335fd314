//! Languages and the message catalogue for validation and error codes. Japanese first.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks between a Japanese and an English text.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// (code, Japanese, English). Parameters are written `{name}`.
const MESSAGES: &[(&str, &str, &str)] = &[
    ("required", "入力してください。", "This field is required."),
    ("out_of_range", "{min}から{max}までの数で入力してください。", "Enter a number from {min} to {max}."),
    (
        "too_long",
        "{max}文字以内で入力してください。",
        "Use at most {max} characters.",
    ),
    (
        "invalid_email",
        "メールアドレスの形式が正しくありません。",
        "Enter a valid e-mail address.",
    ),
    (
        "invalid_kind",
        "施設の種別は 病院・診療所・助産所・薬局 から選んでください。",
        "Choose hospital, clinic, midwifery home or pharmacy.",
    ),
    (
        "invalid_code",
        "施設コードは半角英数字・ハイフン・下線で1〜32文字にしてください。",
        "Use 1–32 letters, digits, hyphens or underscores for the facility code.",
    ),
    (
        "invalid_institution_code",
        "医療機関コードは10桁の数字です（都道府県番号2桁＋点数表番号1桁＋7桁）。",
        "The medical institution code has 10 digits (2 prefecture + 1 fee-table + 7).",
    ),
    (
        "institution_code_prefecture",
        "医療機関コードの先頭2桁（{code}）が都道府県（{prefecture}）と一致しません。",
        "The first two digits ({code}) do not match the prefecture ({prefecture}).",
    ),
    (
        "invalid_prefecture",
        "都道府県名が正しくありません（例: 東京都、大阪府、北海道）。",
        "Unknown prefecture (e.g. 東京都, 大阪府, 北海道).",
    ),
    (
        "invalid_beds",
        "病床数は0以上の整数で入力してください。",
        "Enter the number of beds as a whole number, 0 or more.",
    ),
    (
        "beds_not_allowed",
        "病床は病院・診療所・助産所のみ登録できます。",
        "Only hospitals, clinics and midwifery homes have beds.",
    ),
    (
        "invalid_date",
        "日付の形式が正しくありません（例: 2025-04-01、R7.4.1、令和7年4月1日）。",
        "Invalid date (e.g. 2025-04-01, R7.4.1, 令和7年4月1日).",
    ),
    (
        "until_before_from",
        "終了日は開始日以降にしてください。",
        "The end date must not be before the start date.",
    ),
    ("invalid_role", "役割が正しくありません。", "Unknown role."),
    (
        "invalid_tenure",
        "専任・専従・兼任のいずれかを選んでください。",
        "Choose full-time dedicated, exclusive or concurrent.",
    ),
    (
        "tenure_only_security_officer",
        "専任・専従・兼任は医療情報システム安全管理責任者にのみ設定します。",
        "Tenure applies to the security officer only.",
    ),
    (
        "department_required",
        "監視責任者は部門ごとに置くため、部門を入力してください。",
        "A monitoring manager is appointed per department: enter the department.",
    ),
    (
        "password_too_short",
        "パスワードは{min}文字以上にしてください。",
        "Use at least {min} characters.",
    ),
    (
        "password_needs_mix",
        "英字・数字・記号をそれぞれ1文字以上含めてください。",
        "Include at least one letter, one digit and one symbol.",
    ),
    (
        "password_contains_email",
        "パスワードにメールアドレスを含めないでください。",
        "Do not include your e-mail address in the password.",
    ),
    (
        "password_wrong",
        "現在のパスワードが正しくありません。",
        "The current password is not correct.",
    ),
    (
        "password_mismatch",
        "確認用パスワードが一致しません。",
        "The passwords do not match.",
    ),
    (
        "duplicate",
        "同じ値が既に登録されています。",
        "This value is already registered.",
    ),
    ("invalid_device_kind", "機器の種別「{value}」が分かりません（サーバ・端末PC・タブレット・ネットワーク機器・ストレージ・プリンタ・医療機器・その他）。", "Unknown device kind \"{value}\" (server, pc, mobile, network, storage, printer, medical_device, other)."),
    ("invalid_device_status", "状態「{value}」が分かりません（稼働・停止・予備・廃棄）。", "Unknown status \"{value}\" (稼働 active, 停止 stopped, 予備 spare, 廃棄 disposed)."),
    ("invalid_flag", "「{value}」は はい／いいえ（有／無）で入力してください。", "Use yes or no for \"{value}\"."),
    ("invalid_ip", "IPアドレス「{value}」の形式が正しくありません。", "Invalid IP address \"{value}\"."),
    ("ip_masked", "IPアドレス「{value}」は伏せ字のため不明として登録します。", "IP address \"{value}\" is masked; recorded as unknown."),
    ("invalid_mac", "MACアドレス「{value}」の形式が正しくありません（例: 00:11:22:33:44:55）。", "Invalid MAC address \"{value}\" (e.g. 00:11:22:33:44:55)."),
    ("software_name_required", "ソフトウェアのバージョンや提供元だけでなく名称も入力してください。", "Give the software's name, not only its version or vendor."),
    ("disposed_on_needs_disposed", "廃棄日は状態が「廃棄」のときだけ入力します。", "A disposal date needs the status 廃棄 (disposed)."),
    ("invalid_phone", "電話番号は数字とハイフンで入力してください。", "Use digits and hyphens for the phone number."),
    ("duplicate_management_no", "管理番号「{value}」が重複し、内容（{column}）が食い違っています。同じ機器なら値をそろえ、別の機器なら別の管理番号にしてください。", "Management number \"{value}\" repeats with a different {column}: make the values equal if it is the same device, or give it another number."),
    ("unknown_header", "見出し「{value}」は取り込み対象外のため無視します。", "Column \"{value}\" is not recognised and was ignored."),
    ("no_header", "見出し行が見つかりません。「{title}」などの列見出しがある行を含めてください。", "No header row found: include a row with column titles such as {title}."),
    ("duplicate_header", "見出し「{value}」（{column}列）は{first}列と同じ項目を指しています。どちらの値を使うか決められないため、片方の列を削除するか見出しを変えてください。", "Column \"{value}\" ({column}) names the same field as column {first}: delete one of them or rename its title."),
    ("total_row_skipped", "合計・小計の行（{value}）は台帳の記録ではないため取り込みません。", "A total row ({value}) is not a record and was skipped."),
    ("blank_note_skipped", "「{value}」の行は記録ではないため取り込みません。", "The row \"{value}\" is not a record and was skipped."),
    ("rule_row_skipped", "罫線だけの行は取り込みません。", "A row of rules only was skipped."),
    ("no_data_rows", "見出し行の下にデータの行がありません。空の台帳として読むと全件が削除・変更扱いになるため、何も書き込みません。データの入ったファイルを選んでください。", "There are no data rows below the header: nothing is written (an empty file would read as every record removed). Choose a file with data."),
    ("problems_omitted", "問題が多すぎるため、最初の {kept} 件だけを一覧にしています（ほかにエラー {errors} 件・警告 {warnings} 件）。ファイルの列と形式を見直してから取り込み直してください。", "Too many problems: only the first {kept} are listed ({errors} more errors and {warnings} more warnings). Check the file's columns and format, then import it again."),
    ("mass_removal", "このファイルを取り込むと、使用中の{what_ja} {active} 件のうち {count} 件（{percent}%）が停止・廃棄・削除になります。ファイルが全件か、状態の列が正しいか確認してください。よければ「大量の停止・削除を確認しました」を選んで取り込みます（CLI: --allow-mass-removal）。", "This file would take {count} of {active} {what_en} in use out of use ({percent}%). Check that it is complete and its status column right; if so, confirm the mass removal (CLI: --allow-mass-removal)."),
    ("invalid_choice", "「{value}」は選べません（{allowed}）。", "\"{value}\" is not one of the choices ({allowed})."),
    ("unknown_vendor", "事業者「{value}」は事業者台帳にありません。事業者台帳に登録してください。", "Vendor \"{value}\" is not in the vendor register: add it there."),
    ("unknown_device", "管理番号「{value}」は機器台帳にありません。", "Management number \"{value}\" is not in the device ledger."),
    ("unknown_system", "システム「{value}」は情報システム台帳にありません。情報システム台帳に登録してください。", "System \"{value}\" is not in the systems register: add it there."),
    ("invalid_number", "「{value}」は 0 以上の整数で入力してください。", "\"{value}\" must be a whole number of 0 or more."),
    ("invalid_datetime", "「{value}」は日時（例: 2026-11-21 09:30）で入力してください。", "\"{value}\" must be a date and time (e.g. 2026-11-21 09:30)."),
    ("future_datetime", "発見日時が未来になっています。", "The time of discovery is in the future."),
    ("invalid_status", "「{value}」は選べない状態です（{allowed}）。", "\"{value}\" is not one of the statuses ({allowed})."),
    ("done_on_required", "実施日（報告日）を入力してください。", "Give the date it was done (reported)."),
    ("reason_required", "「不要」とする理由を入力してください。", "Give the reason it is not needed."),
    ("duplicate_key", "「{value}」は{row}行目と重複しています。", "\"{value}\" repeats row {row}."),
    ("invalid_answer", "「はい」「いいえ」「該当なし」から選んでください。", "Choose yes, no or not applicable."),
    ("not_applicable_not_allowed", "この項目では「該当なし」は選べません。「はい」か「いいえ」で回答してください。", "This item cannot be answered 'not applicable'; answer yes or no."),
    ("first_check_required", "回答には1回目の確認日が必要です（立入検査で確認されます）。", "An answer needs its 1st check date (inspectors check it)."),
    ("second_before_first", "2回目の確認日は1回目より後にしてください。", "The 2nd check date must not be before the 1st."),
    ("target_required", "「いいえ」の場合は対策の目標日を入力してください。", "A 'No' answer needs a target date for the measure."),
    ("target_outside_year", "目標日は当該年度内（{start}〜{end}）にしてください。", "The target date must fall within the fiscal year ({start} to {end})."),
    ("catalog_schema", "カタログの schema は 1 にしてください（{value} は読めません）。", "Catalogue schema must be 1 (cannot read {value})."),
    ("catalog_kind", "kind は checklist にしてください（{value}）。", "kind must be checklist ({value})."),
    ("catalog_fiscal_year", "fiscal_year は 2020〜2100 の西暦年度にしてください。", "fiscal_year must be a year from 2020 to 2100."),
    ("catalog_no_items", "items に項目が1つもありません。", "items is empty."),
    ("catalog_item_key", "項目の key「{key}」は半角英小文字・数字・下線で書いてください。", "Item key '{key}' must use lowercase letters, digits and underscores."),
    ("catalog_duplicate_key", "項目の key「{key}」が重複しています。", "Item key '{key}' appears twice."),
    ("catalog_duplicate_number", "項目番号「{number}」が重複しています。", "Item number '{number}' appears twice."),
    ("catalog_sourced_without_text", "項目「{key}」は文言がないのに確認済みになっています。text_status を unverified にしてください。", "Item '{key}' has no text but is marked verified; set text_status to unverified."),
    ("invalid_privilege", "権限「{value}」を読めません。「診療記録:更新、画像:参照」のように 情報区分:参照/更新 で書いてください。", "Cannot read the privilege \"{value}\": write category:read/write, e.g. medical_record:write, images:read."),
    ("no_mapping_for_key", "「{title}」に当てる列を選んでください。", "Choose the column that holds {title}."),
    ("unknown_mapped_column", "対応付けた列「{value}」がファイルにありません。列の対応付けを見直してください。", "The mapped column \"{value}\" is not in the file: review the column mapping."),
    ("invalid_cve_id", "「{value}」は CVE 番号（例: CVE-2024-21762）として読めません。", "\"{value}\" is not a CVE id (e.g. CVE-2024-21762)."),
    ("suppression_reason_required", "対応不要とする理由（受容の判断、該当しない根拠、緩和策の内容）を入力してください。", "Give the reason (why the risk is accepted, why it does not apply, or the measure that mitigates it)."),
    ("suppression_until_past", "期限が過去の日付です。今日以降の日付にするか、空欄（解除するまで）にしてください。", "The end date is past: give today or later, or leave it blank (until lifted)."),
    (
        "inspector_needs_expiry",
        "立入検査員の権限には有効期限が必要です。",
        "An inspector's access needs an expiry date.",
    ),
];

/// The catalogue text for a code; unknown codes fall back to the code itself so nothing is lost.
pub fn message(code: &str, lang: Lang) -> &str {
    MESSAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, ja, en)| lang.pick(ja, en))
        .unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_have_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for (code, ja, en) in MESSAGES {
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(!ja.is_empty() && !en.is_empty());
        }
    }
}
