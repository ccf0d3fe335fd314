//! The vocabulary of generated data: names, places, makers, software and systems as Japanese
//! facilities write them, and the weights that give Japan's proportions.

use mimamori_domain::facility::FacilityKind;
use mimamori_domain::prefecture::PREFECTURES;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Facilities in Japan by kind (MHLW 医療施設調査 and 衛生行政報告例, rounded): hospitals 8,100,
/// clinics 105,000, pharmacies 62,000, midwifery homes 2,300.
pub const KIND_WEIGHTS: [(FacilityKind, u32); 4] = [
    (FacilityKind::Hospital, 8_100),
    (FacilityKind::Clinic, 105_000),
    (FacilityKind::Pharmacy, 62_000),
    (FacilityKind::MidwiferyHome, 2_300),
];

/// Population by prefecture in units of 10,000 (2020 census, rounded), in the order of
/// [`PREFECTURES`]: facilities are spread like people.
const POPULATION: [u32; 47] = [
    522, 124, 121, 230, 96, 107, 183, 287, 193, 194, 734, 628, 1405, 924, 220, 103, 113, 77, 81,
    205, 198, 363, 754, 177, 141, 258, 884, 547, 133, 92, 55, 67, 189, 280, 134, 72, 95, 133, 69,
    513, 81, 131, 174, 113, 107, 159, 147,
];

pub fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total.max(1));
    for (item, weight) in items {
        if pick < *weight {
            return *item;
        }
        pick -= weight;
    }
    items[0].0
}

pub fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

pub fn prefecture(rng: &mut ChaCha8Rng) -> &'static str {
    let total: u32 = POPULATION.iter().sum();
    let mut n = rng.gen_range(0..total);
    for (i, people) in POPULATION.iter().enumerate() {
        if n < *people {
            return PREFECTURES[i];
        }
        n -= people;
    }
    PREFECTURES[12]
}

pub const PLACE_NAMES: &[&str] = &[
    "さくら",
    "みどり",
    "ひかり",
    "あおば",
    "ひまわり",
    "つばさ",
    "はなみずき",
    "わかば",
    "こもれび",
    "やまびこ",
    "中央",
    "駅前",
    "東",
    "西",
    "南",
    "北",
    "港",
    "山手",
    "川端",
    "本町",
    "緑町",
    "旭",
    "朝日",
    "青空",
    "松原",
];

pub const CLINIC_SPECIALTIES: &[&str] = &[
    "内科",
    "小児科",
    "整形外科",
    "眼科",
    "耳鼻咽喉科",
    "皮膚科",
    "歯科",
    "産婦人科",
    "心療内科",
    "泌尿器科",
    "消化器内科",
    "循環器内科",
];

pub const FAMILY_NAMES: &[&str] = &[
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
];
pub const FAMILY_KANA: &[&str] = &[
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
    "ヨシダ",
    "ヤマダ",
    "ササキ",
    "ヤマグチ",
    "マツモト",
    "イノウエ",
    "キムラ",
    "ハヤシ",
    "サイトウ",
    "シミズ",
];
pub const GIVEN_NAMES: &[&str] = &[
    "翔太",
    "陽子",
    "大輔",
    "美咲",
    "健一",
    "由美",
    "拓也",
    "恵",
    "直樹",
    "彩",
    "誠",
    "愛",
    "亮",
    "真由美",
    "剛",
];
pub const GIVEN_KANA: &[&str] = &[
    "ショウタ",
    "ヨウコ",
    "ダイスケ",
    "ミサキ",
    "ケンイチ",
    "ユミ",
    "タクヤ",
    "メグミ",
    "ナオキ",
    "アヤ",
    "マコト",
    "アイ",
    "リョウ",
    "マユミ",
    "ツヨシ",
];

pub const HOSPITAL_PLACES: &[&str] = &[
    "外来1診",
    "外来2診",
    "救急外来",
    "3階東病棟",
    "3階西病棟",
    "4階東病棟",
    "4階西病棟",
    "5階病棟",
    "ICU",
    "手術室",
    "放射線科",
    "臨床検査科",
    "薬剤部",
    "医事課",
    "地域連携室",
    "医局",
    "看護部",
    "サーバー室",
    "リハビリテーション科",
    "栄養科",
];
pub const CLINIC_PLACES: &[&str] = &[
    "受付",
    "診察室1",
    "診察室2",
    "処置室",
    "検査室",
    "事務室",
    "院長室",
];
pub const PHARMACY_PLACES: &[&str] = &["受付", "調剤室", "投薬カウンター", "事務室"];

pub const PC_MAKERS: &[&str] = &[
    "富士通",
    "NEC",
    "Dynabook",
    "Dell",
    "HP",
    "Lenovo",
    "パナソニック",
];
pub const MEDICAL_MAKERS: &[&str] = &[
    "キヤノンメディカル",
    "富士フイルム",
    "シーメンスヘルスケア",
    "オリンパス",
    "日本光電",
    "GEヘルスケア",
];
pub const NETWORK_MAKERS: &[&str] = &["ヤマハ", "アライドテレシス", "Cisco", "NEC", "FortiGate"];

/// (OS, version, weight): a realistic mix, including what has reached end of life.
pub const PC_OS: &[(&str, &str, u32)] = &[
    ("Windows 11 Pro", "23H2", 45),
    ("Windows 10 Pro", "22H2", 35),
    ("Windows 10 IoT Enterprise LTSC", "2021", 8),
    ("Windows 8.1", "", 3),
    ("Windows 7 Professional", "SP1", 2),
    ("", "", 3),
    ("macOS", "14", 4),
];
pub const SERVER_OS: &[(&str, &str, u32)] = &[
    ("Windows Server 2022", "21H2", 40),
    ("Windows Server 2019", "1809", 30),
    ("Windows Server 2016", "1607", 15),
    ("Windows Server 2012 R2", "", 8),
    ("Red Hat Enterprise Linux", "9", 7),
];

/// (software, vendor): what runs on terminals.
pub const SOFTWARE: &[(&str, &str)] = &[
    ("電子カルテ端末", "富士通Japan"),
    ("オーダリングクライアント", "NEC"),
    ("医事会計クライアント", "PHC"),
    ("PACSビューア", "富士フイルム"),
    ("Microsoft Office", "Microsoft"),
    ("ウイルス対策ソフト", "トレンドマイクロ"),
    ("Adobe Acrobat Reader", "Adobe"),
    ("検査システム端末", "シスメックス"),
    ("レセコン", "日本医師会ORCA管理機構"),
    ("電子薬歴", "EMシステムズ"),
];

/// (system name, category, vendor): information systems by size of facility.
pub const HOSPITAL_SYSTEMS: &[(&str, &str, &str)] = &[
    ("電子カルテシステム", "ehr", "富士通Japan株式会社"),
    ("オーダリングシステム", "ordering", "日本電気株式会社"),
    ("医事会計システム", "medical_accounting", "PHC株式会社"),
    ("PACS", "pacs", "富士フイルムメディカル株式会社"),
    ("臨床検査システム", "departmental", "シスメックス株式会社"),
    (
        "放射線情報システム",
        "departmental",
        "キヤノンメディカルシステムズ株式会社",
    ),
    ("薬剤部門システム", "departmental", "株式会社ユヤマ"),
    ("給食管理システム", "other", "株式会社ワイズマン"),
    ("予約システム", "reservation", "株式会社アイテック"),
    ("再来受付機", "kiosk", "株式会社アルメックス"),
    (
        "物流管理システム",
        "other",
        "株式会社エフエスユニマネジメント",
    ),
    ("透析管理システム", "departmental", "日機装株式会社"),
];
pub const CLINIC_SYSTEMS: &[(&str, &str, &str)] = &[
    ("電子カルテ", "ehr", "株式会社BML"),
    ("レセコン", "receipt", "日本医師会ORCA管理機構"),
    (
        "予約システム",
        "reservation",
        "株式会社メディカル・データ・ビジョン",
    ),
];
pub const PHARMACY_SYSTEMS: &[(&str, &str, &str)] = &[
    ("調剤レセコン", "receipt", "株式会社EMシステムズ"),
    ("電子薬歴", "other", "株式会社EMシステムズ"),
];

pub const JOB_TYPES_HOSPITAL: &[(&str, u32)] = &[
    ("nurse", 40),
    ("doctor", 12),
    ("clerk", 15),
    ("pharmacist", 4),
    ("physical_therapist", 5),
    ("care_worker", 8),
    ("dietitian", 2),
    ("clinical_engineer", 2),
    ("contractor", 5),
    ("resident", 3),
    ("system_admin", 1),
    ("other", 3),
];
pub const JOB_TYPES_CLINIC: &[(&str, u32)] = &[("doctor", 2), ("nurse", 4), ("clerk", 4)];
pub const JOB_TYPES_PHARMACY: &[(&str, u32)] = &[("pharmacist", 3), ("clerk", 2)];
pub const DEPARTMENTS: &[&str] = &[
    "内科",
    "外科",
    "看護部",
    "医事課",
    "薬剤部",
    "放射線科",
    "検査科",
    "総務課",
];
