//! The audit log's action and record codes in the user's language: the log keeps stable codes
//! (`create`, `device` …), people read 作成 and 機器.

use crate::i18n::Lang;

/// (code, Japanese, English) of every action the product records.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("apply", "適用", "Apply"),
    ("carry_out", "実施", "Carry out"),
    ("change_password", "パスワード変更", "Change password"),
    ("complete", "完了", "Complete"),
    ("confirm", "確認", "Confirm"),
    ("create", "作成", "Create"),
    ("decide", "判断", "Decide"),
    ("delete", "削除", "Delete"),
    ("enable_totp", "二要素認証の設定", "Enable two-factor"),
    ("end_access", "アクセス終了", "End access"),
    ("export", "書き出し", "Export"),
    ("generate", "生成", "Generate"),
    ("import", "取り込み", "Import"),
    ("rebuild", "再構築", "Rebuild"),
    ("revoke", "失効", "Revoke"),
    ("sign_in", "サインイン", "Sign in"),
    ("sign_in_failed", "サインイン失敗", "Sign-in failed"),
    ("sign_off", "承認（ロック）", "Sign off"),
    ("undo", "取り消し", "Undo"),
    ("unlock", "承認の解除", "Unlock"),
    ("update", "更新", "Update"),
    ("use_recovery_code", "回復コードの使用", "Use recovery code"),
];

/// (code, Japanese, English) of every kind of record the log names.
const ENTITIES: &[(&str, &str, &str)] = &[
    ("access_policy", "アクセス権限の方針", "Access policy"),
    ("access_review", "アクセス権の見直し", "Access review"),
    ("access_review_item", "見直しの項目", "Access review item"),
    ("account", "アカウント", "Account"),
    (
        "account_application",
        "アカウント申請",
        "Account application",
    ),
    ("account_mapping", "アカウントの対応付け", "Account mapping"),
    (
        "account_settings",
        "アカウント管理の設定",
        "Account settings",
    ),
    ("accounts", "アカウント台帳", "Account ledger"),
    ("api_token", "API トークン", "API token"),
    ("appointment", "役割の任命", "Appointment"),
    ("bcp_answer", "BCP確認表の回答", "BCP answer"),
    ("bcp_table", "BCP確認表", "BCP table"),
    ("checklist", "チェックリスト", "Checklist"),
    (
        "checklist_answer",
        "チェックリストの回答",
        "Checklist answer",
    ),
    (
        "checklist_assessment",
        "チェックリスト（年度）",
        "Checklist assessment",
    ),
    (
        "checklist_evidence",
        "チェックリストの証跡",
        "Checklist evidence",
    ),
    ("contact_chart", "連絡体制図", "Contact chart"),
    ("device", "機器", "Device"),
    ("devices", "機器台帳", "Device ledger"),
    ("facility", "施設", "Facility"),
    ("feed", "脆弱性情報の取り込み", "Feed"),
    ("import", "取り込み", "Import"),
    ("incident", "インシデント", "Incident"),
    ("incident_report", "インシデントの報告", "Incident report"),
    ("incident_step", "初動対応の手順", "Incident step"),
    (
        "incident_timeline",
        "インシデントの経過",
        "Incident timeline",
    ),
    ("ledger", "台帳", "Ledger"),
    ("membership", "利用者の権限", "Membership"),
    ("organisation", "組織", "Organisation"),
    ("product_mapping", "製品の対応付け", "Product mapping"),
    ("user", "利用者", "User"),
    ("vulnerabilities", "脆弱性", "Vulnerabilities"),
    (
        "vulnerability_suppression",
        "脆弱性の対象外設定",
        "Vulnerability set aside",
    ),
];

fn lookup(
    table: &[(&str, &'static str, &'static str)],
    code: &str,
    lang: Lang,
) -> Option<&'static str> {
    table
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, ja, en)| lang.pick(ja, en))
}

/// Every action's code and label in `lang`, for the log's filter.
pub fn actions(lang: Lang) -> Vec<(&'static str, &'static str)> {
    ACTIONS
        .iter()
        .map(|(code, ja, en)| (*code, lang.pick(ja, en)))
        .collect()
}

/// The action in `lang`; a code without a label (a newer version's) reads as "other".
pub fn action_label(code: &str, lang: Lang) -> &'static str {
    lookup(ACTIONS, code, lang).unwrap_or(lang.pick("その他の操作", "Other action"))
}

/// The kind of record in `lang` (a register's record by the register's title).
pub fn entity_label(code: &str, lang: Lang) -> String {
    if let Some(label) = lookup(ENTITIES, code, lang) {
        return label.to_string();
    }
    if let Some(spec) = crate::ledger::registers::ALL
        .into_iter()
        .find(|spec| spec.entity == code)
    {
        return lang.pick(spec.title_ja, spec.title_en).to_string();
    }
    lang.pick("その他の記録", "Other record").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_japanese_label_without_latin_letters() {
        for (code, ja, en) in ACTIONS.iter().chain(ENTITIES) {
            assert!(!ja.is_empty() && !en.is_empty(), "{code}");
            assert!(!ja.chars().any(|c| c.is_ascii_lowercase()), "{code}: {ja}");
        }
        assert_eq!(action_label("sign_off", Lang::Ja), "承認（ロック）");
        assert_eq!(action_label("future_thing", Lang::Ja), "その他の操作");
        assert_eq!(entity_label("device", Lang::En), "Device");
    }
}
