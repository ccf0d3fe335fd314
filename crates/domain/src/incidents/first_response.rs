//! The first-response checklist of an incident, in our own words after the BCP confirmation table
//! (3-x 初動対応), the MHLW BCP template (ひな形 3.3) and PPC FAQ Q6-5. Who did each step and when
//! is recorded per incident.

use crate::i18n::Lang;

pub struct Step {
    pub key: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
}

impl Step {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.ja, self.en)
    }
}

pub const STEPS: &[Step] = &[
    Step {
        key: "isolate",
        ja: "感染が疑われる端末をネットワークから切り離す（LANケーブルを抜く・無線を切る。電源は切らない）",
        en: "Disconnect suspected devices from the network (unplug, turn off Wi-Fi; keep them powered on)",
    },
    Step {
        key: "tell_management",
        ja: "安全管理責任者・経営層に報告する",
        en: "Tell the security officer and management",
    },
    Step {
        key: "contact_vendor",
        ja: "保守事業者に連絡し、調査を依頼する",
        en: "Contact the maintenance vendor and ask for an investigation",
    },
    Step {
        key: "preserve_evidence",
        ja: "証拠を保全する（画面・脅迫文の写真、ログ。端末を初期化しない）",
        en: "Preserve evidence (photos of screens and ransom notes, logs; do not wipe devices)",
    },
    Step {
        key: "decide_stop",
        ja: "システムの使用停止と範囲を判断する",
        en: "Decide whether and which systems to stop",
    },
    Step {
        key: "protect_backups",
        ja: "バックアップが無事か確認し、ネットワークから隔離する",
        en: "Check the backups are intact and isolate them from the network",
    },
    Step {
        key: "switch_to_paper",
        ja: "紙運用など代替手段に切り替え、院内に周知する",
        en: "Switch to paper or other fallbacks and tell the staff",
    },
    Step {
        key: "assess_personal_data",
        ja: "個人情報の漏えいの有無と範囲を確認する",
        en: "Establish whether and which personal data leaked",
    },
    Step {
        key: "contact_authorities",
        ja: "外部関係機関（厚生労働省・警察・都道府県等）への連絡を判断する",
        en: "Decide on contacting MHLW, the police and the prefecture",
    },
];

pub fn step(key: &str) -> Option<&'static Step> {
    STEPS.iter().find(|s| s.key == key)
}
