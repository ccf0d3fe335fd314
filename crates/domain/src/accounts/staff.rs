//! The staff roster (職員名簿): who may hold accounts, with job type and dates of joining and
//! leaving. Kept as a register so that its pages, import from HR exports and export are the
//! ledgers' own.

use chrono::NaiveDate;

use crate::ledger::register::{
    Choice, FieldKind, FieldSpec, Record, RegisterGroup, RegisterKind, RegisterSpec,
};
use crate::validation::search_key;

/// 職種. Seed 004 Art. 10 lists physicians in training (研修登録医) and researchers among users.
pub const JOB_TYPES: &[Choice] = &[
    ("doctor", "医師", "Doctor"),
    ("dentist", "歯科医師", "Dentist"),
    ("pharmacist", "薬剤師", "Pharmacist"),
    ("nurse", "看護師", "Nurse"),
    ("assistant_nurse", "准看護師", "Assistant nurse"),
    ("midwife", "助産師", "Midwife"),
    (
        "radiology_technologist",
        "診療放射線技師",
        "Radiology technologist",
    ),
    (
        "lab_technologist",
        "臨床検査技師",
        "Clinical laboratory technologist",
    ),
    ("physical_therapist", "理学療法士", "Physical therapist"),
    (
        "occupational_therapist",
        "作業療法士",
        "Occupational therapist",
    ),
    ("speech_therapist", "言語聴覚士", "Speech therapist"),
    ("dietitian", "管理栄養士", "Dietitian"),
    ("clinical_engineer", "臨床工学技士", "Clinical engineer"),
    (
        "medical_social_worker",
        "医療ソーシャルワーカー",
        "Medical social worker",
    ),
    ("care_worker", "看護補助者", "Care worker"),
    ("clerk", "事務", "Clerk"),
    ("contractor", "委託業者", "Contractor"),
    ("resident", "研修医", "Resident"),
    ("researcher", "研究員", "Researcher"),
    ("system_admin", "システム管理者", "System administrator"),
    ("other", "その他", "Other"),
];

pub const EMPLOYMENT: &[Choice] = &[
    ("employed", "在職", "Employed"),
    ("on_leave", "休職", "On leave"),
    ("left", "退職", "Left"),
];

pub const STAFF: RegisterSpec = RegisterSpec {
    kind: RegisterKind::Staff,
    group: RegisterGroup::Ledger,
    slug: "staff",
    entity: "person",
    title_ja: "職員名簿",
    title_en: "Staff roster",
    key_field: "staff_number",
    fields: &[
        FieldSpec::new(
            "staff_number",
            &[
                "職員番号",
                "Staff number",
                "職員コード",
                "社員番号",
                "職員ID",
                "個人番号",
                "staff no",
                "employee number",
            ],
            FieldKind::Text,
            true,
            true,
        ),
        FieldSpec::new(
            "name",
            &["氏名", "Name", "職員名", "名前", "full name"],
            FieldKind::Text,
            true,
            true,
        ),
        FieldSpec::new(
            "kana",
            &[
                "フリガナ",
                "Kana",
                "ふりがな",
                "カナ氏名",
                "氏名カナ",
                "カナ",
            ],
            FieldKind::Text,
            false,
            false,
        ),
        FieldSpec::new(
            "department",
            &["所属", "Department", "部署", "所属部署", "診療科"],
            FieldKind::Text,
            false,
            true,
        ),
        FieldSpec::new(
            "job_type",
            &["職種", "Job type", "職種名", "job"],
            FieldKind::Choice(JOB_TYPES),
            true,
            true,
        ),
        FieldSpec::new(
            "employment",
            &["在籍状況", "Employment", "雇用状況", "在職区分", "status"],
            FieldKind::Choice(EMPLOYMENT),
            false,
            true,
        ),
        FieldSpec::new(
            "hired_on",
            &["入職日", "Hired on", "採用日", "入社日"],
            FieldKind::Date,
            false,
            false,
        ),
        FieldSpec::new(
            "left_on",
            &["退職日", "Left on", "退職年月日", "退社日"],
            FieldKind::Date,
            false,
            true,
        ),
        FieldSpec::new(
            "email",
            &["メールアドレス", "Email", "メール", "e-mail"],
            FieldKind::Email,
            false,
            false,
        ),
        FieldSpec::new(
            "notes",
            &["備考", "Notes", "メモ", "note"],
            FieldKind::LongText,
            false,
            false,
        ),
    ],
};

/// A person of the roster as the rules and matching read it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub staff_number: String,
    pub name: String,
    pub kana: String,
    pub department: String,
    pub job_type: String,
    pub employment: String,
    pub left_on: Option<NaiveDate>,
}

impl Person {
    pub fn from_record(record: &Record) -> Person {
        let text = |key: &str| record.get(key).unwrap_or("").to_string();
        Person {
            staff_number: text("staff_number"),
            name: text("name"),
            kana: text("kana"),
            department: text("department"),
            job_type: text("job_type"),
            employment: text("employment"),
            left_on: record.date("left_on"),
        }
    }

    /// The staff number in the form accounts refer to it by.
    pub fn key(&self) -> String {
        search_key(&self.staff_number)
    }

    /// Left the facility on or before `today` (by the leaving date or the employment status).
    pub fn has_left(&self, today: NaiveDate) -> bool {
        self.employment == "left" || self.left_on.is_some_and(|d| d <= today)
    }
}
