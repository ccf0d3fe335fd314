//! The contact chart (連絡体制図, checklist 3-(1)): the internal escalation — who tells whom, in which
//! order, with deputies — and the external contacts (外部連絡リスト). Both are registers, so pages,
//! imports, exports and the API come from the register machinery; this module adds what every
//! facility must have and how the escalation is laid out as a chart.

use std::collections::{BTreeMap, HashMap};

use crate::ledger::register::{
    Choice, FieldKind, FieldSpec, Record, RegisterGroup, RegisterKind, RegisterSpec,
};
use crate::ledger::registers::{field, key_field, text};
use crate::validation::search_key;

pub const CATEGORIES: &[Choice] = &[
    ("public", "公的機関", "Public body"),
    ("vendor", "事業者", "Vendor"),
    ("nearby", "近隣施設", "Nearby facility"),
    ("security", "セキュリティ事業者", "Security company"),
    ("other", "その他", "Other"),
];

pub const CONTACTS: RegisterSpec = RegisterSpec {
    kind: RegisterKind::Contacts,
    group: RegisterGroup::Preparedness,
    slug: "contacts",
    entity: "contact",
    title_ja: "外部連絡先",
    title_en: "External contacts",
    key_field: "organisation",
    fields: &[
        key_field(
            "organisation",
            &[
                "連絡先（機関・会社）",
                "Organisation",
                "機関名",
                "連絡先",
                "organisation",
            ],
        ),
        FieldSpec::new(
            "category",
            &["区分", "Category", "分類", "category"],
            FieldKind::Choice(CATEGORIES),
            true,
            true,
        ),
        field(
            "department",
            &["部署", "Department", "担当部署"],
            FieldKind::Text,
            false,
        ),
        field(
            "person",
            &["担当者", "Contact person", "担当者名"],
            FieldKind::Text,
            true,
        ),
        field(
            "phone",
            &["電話番号", "Phone", "電話", "TEL"],
            FieldKind::Phone,
            true,
        ),
        field(
            "after_hours_phone",
            &[
                "夜間・休日の電話番号",
                "After-hours phone",
                "夜間連絡先",
                "緊急連絡先",
            ],
            FieldKind::Phone,
            false,
        ),
        field(
            "email",
            &["メールアドレス", "E-mail", "メール", "email"],
            FieldKind::Email,
            true,
        ),
        text("purpose", &["用件", "Purpose", "連絡する内容", "用途"]),
        field(
            "required",
            &["必須の連絡先", "Required contact", "必須"],
            FieldKind::Flag,
            false,
        ),
        field(
            "notes",
            &["備考", "Notes", "メモ"],
            FieldKind::LongText,
            false,
        ),
    ],
};

pub const ESCALATION: RegisterSpec = RegisterSpec {
    kind: RegisterKind::Escalation,
    group: RegisterGroup::Preparedness,
    slug: "escalation",
    entity: "escalation_step",
    title_ja: "院内連絡体制",
    title_en: "Internal escalation",
    key_field: "role",
    fields: &[
        FieldSpec::new(
            "order",
            &["順番", "Order", "順序", "No"],
            FieldKind::Number,
            true,
            true,
        ),
        key_field("role", &["役割", "Role", "立場", "役職"]),
        field(
            "person",
            &["担当者", "Person", "氏名", "責任者"],
            FieldKind::Text,
            true,
        ),
        field(
            "phone",
            &["電話番号", "Phone", "内線", "電話"],
            FieldKind::Phone,
            true,
        ),
        field(
            "deputy",
            &["代理者", "Deputy", "代理", "副担当"],
            FieldKind::Text,
            true,
        ),
        field(
            "deputy_phone",
            &["代理者の電話番号", "Deputy phone", "代理電話"],
            FieldKind::Phone,
            false,
        ),
        field(
            "reports_to",
            &[
                "次の連絡先（役割）",
                "Reports to (role)",
                "報告先",
                "次の連絡先",
            ],
            FieldKind::Text,
            true,
        ),
        field(
            "notes",
            &["備考", "Notes", "メモ"],
            FieldKind::LongText,
            false,
        ),
    ],
};

fn record(pairs: &[(&str, &str)]) -> Record {
    Record {
        values: pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// Where the MHLW office's number comes from (seed 002, checked in ../shared/reference/reporting-rules.md).
pub const MHLW_PHONE_SOURCE: &str =
    "厚生労働省 令和6年度 医療機関等の立入検査研修資料「連絡方法 A. 厚生労働省への連絡」";

/// The external contacts every facility needs (checklist 3-(1), BCP 1-2: 事業者、厚生労働省、警察等),
/// as entries to complete. Numbers are filled in only where they come from a cited source (the
/// MHLW office) or from the facility's own vendor register — never made up.
pub fn required_contacts(prefecture: Option<&str>, vendors: &[Record]) -> Vec<Record> {
    let pref = prefecture.unwrap_or("都道府県");
    let mhlw_note = format!(
        "電話番号の出典: {MHLW_PHONE_SOURCE}。変更されていないか厚生労働省のページで確認してください。\
         サイバー攻撃の疑いがあれば、まず保守事業者に連絡し、個人情報の漏えいや診療への支障（おそれを含む）があれば速やかに連絡します。"
    );
    // Tokyo's police force is the 警視庁, every other prefecture's is 「〇〇県警察」.
    let force = if pref == "東京都" {
        "警視庁".to_string()
    } else {
        format!("{pref}警察")
    };
    let police = format!("{force} サイバー犯罪相談窓口");
    let prefecture_office = format!("{pref} 医療政策担当課（医療安全・立入検査の担当）");
    let mut out = vec![
        record(&[
            (
                "organisation",
                "厚生労働省 医政局 特定医薬品開発支援・医療情報担当参事官室",
            ),
            ("category", "public"),
            ("phone", "03-6812-7837"),
            ("purpose", "サイバー攻撃等による障害の連絡"),
            ("required", "yes"),
            ("notes", &mhlw_note),
        ]),
        record(&[
            ("organisation", &police),
            ("category", "public"),
            ("purpose", "不正アクセス・ランサムウェア等の相談・被害届"),
            ("required", "yes"),
            (
                "notes",
                "相談窓口の番号は都道府県警察のページで確認して記入してください。緊急時は110番。",
            ),
        ]),
        record(&[
            ("organisation", &prefecture_office),
            ("category", "public"),
            ("purpose", "インシデントの報告・調査への対応"),
            ("required", "yes"),
            (
                "notes",
                "担当課の名称と番号を都道府県のページで確認して記入してください。",
            ),
        ]),
        record(&[
            ("organisation", "管轄の保健所"),
            ("category", "public"),
            ("purpose", "インシデントの報告・立入検査の窓口"),
            ("required", "yes"),
            (
                "notes",
                "管轄保健所の名称と番号を記入してください（名称も書き換えてください）。",
            ),
        ]),
        record(&[
            ("organisation", "個人情報保護委員会（漏えい等報告）"),
            ("category", "public"),
            ("purpose", "個人データの漏えい等の報告（速報・確報）"),
            ("required", "yes"),
            (
                "notes",
                "報告は委員会ウェブサイトの報告フォームから行います。",
            ),
        ]),
        record(&[
            (
                "organisation",
                "セキュリティ事業者（初動対応・調査の依頼先）",
            ),
            ("category", "security"),
            ("purpose", "感染端末の調査・証拠保全・復旧支援"),
            (
                "notes",
                "契約している、または依頼できる事業者の名称に書き換えてください。",
            ),
        ]),
        record(&[
            ("organisation", "近隣の医療機関（患者の受け入れ依頼先）"),
            ("category", "nearby"),
            ("purpose", "診療継続が難しいときの患者の受け入れ"),
            ("notes", "依頼先の名称に書き換えてください。"),
        ]),
    ];
    for vendor in vendors {
        let Some(name) = vendor.get("name") else {
            continue;
        };
        out.push(record(&[
            ("organisation", name),
            ("category", "vendor"),
            ("person", vendor.get("contact_person").unwrap_or("")),
            ("phone", vendor.get("phone").unwrap_or("")),
            ("email", vendor.get("email").unwrap_or("")),
            ("purpose", "保守・障害時の連絡、ログの提供、復旧作業"),
            ("required", "yes"),
            (
                "notes",
                "事業者台帳から追加しました。夜間・休日の連絡先を確認してください。",
            ),
        ]));
    }
    out
}

/// The usual escalation path (discoverer → department → system staff → security officer →
/// management), with the people left for the facility to fill in.
pub fn standard_escalation() -> Vec<Record> {
    let steps = [
        (
            "1",
            "発見者（職員）",
            "所属部署の責任者",
            "異常に気づいた職員。端末のLANケーブルを抜き、電源は切らずに報告します。",
        ),
        ("2", "所属部署の責任者", "医療情報システム担当", ""),
        (
            "3",
            "医療情報システム担当",
            "医療情報システム安全管理責任者",
            "保守事業者へ連絡し、状況を確認します。",
        ),
        (
            "4",
            "医療情報システム安全管理責任者",
            "経営層（院長・理事長）",
            "外部関係機関への連絡を判断します。",
        ),
        (
            "5",
            "経営層（院長・理事長）",
            "",
            "システム停止・診療体制の方針を決め、院内に周知します。",
        ),
    ];
    steps
        .iter()
        .map(|(order, role, next, notes)| {
            let person = if *order == "1" {
                "発見した職員"
            } else {
                ""
            };
            record(&[
                ("order", order),
                ("role", role),
                ("person", person),
                ("reports_to", next),
                ("notes", notes),
            ])
        })
        .collect()
}

/// The roles a step reports to (several separated by 、 or commas).
pub fn reports_to(step: &Record) -> Vec<String> {
    step.get("reports_to")
        .unwrap_or("")
        .split([',', '、', '，', '/', '／'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// A step the chart still needs filled in: no person, or no phone, or no deputy (the first step,
/// whoever discovers the problem, needs none of these).
pub fn step_incomplete(step: &Record) -> bool {
    let first = step.number("order") == Some(1);
    !first
        && (step.get("person").is_none()
            || step.get("phone").is_none()
            || step.get("deputy").is_none())
}

/// A contact that cannot be reached yet: neither phone nor e-mail.
pub fn contact_incomplete(contact: &Record) -> bool {
    contact.get("phone").is_none()
        && contact.get("after_hours_phone").is_none()
        && contact.get("email").is_none()
}

/// The escalation as a layered chart: each step's level is the longest path to it from a step
/// nobody reports to; edges go from a step to the steps it reports to. Unknown roles and cycles
/// are tolerated (a cycle's back edge is ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartLayout {
    /// Step indexes per level, in order.
    pub levels: Vec<Vec<usize>>,
    /// (from, to) step indexes.
    pub edges: Vec<(usize, usize)>,
}

pub fn layout(steps: &[Record]) -> ChartLayout {
    let index: HashMap<String, usize> = steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((search_key(s.get("role")?), i)))
        .collect();
    let mut edges = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        for role in reports_to(step) {
            if let Some(&j) = index.get(&search_key(&role)) {
                if i != j && !edges.contains(&(i, j)) {
                    edges.push((i, j));
                }
            }
        }
    }
    let order = |i: usize| steps[i].number("order").unwrap_or(u32::MAX);
    let edges = without_back_edges(steps.len(), edges, order);
    // Longest-path levels on what is now acyclic: n rounds of relaxation suffice.
    let mut level = vec![0usize; steps.len()];
    for _ in 0..steps.len() {
        let mut changed = false;
        for &(from, to) in &edges {
            if level[to] < level[from] + 1 {
                level[to] = level[from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut by_level: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, l) in level.iter().enumerate() {
        by_level.entry(*l).or_default().push(i);
    }
    let levels = by_level
        .into_values()
        .map(|mut ids| {
            ids.sort_by_key(|&i| (order(i), i));
            ids
        })
        .collect();
    ChartLayout { levels, edges }
}

/// Drops the edges that close a cycle, walking from the steps nobody reports to (earliest first),
/// so that a mistaken 「次の連絡先」 pointing back up the chain cannot break the chart.
fn without_back_edges(
    n: usize,
    edges: Vec<(usize, usize)>,
    order: impl Fn(usize) -> u32,
) -> Vec<(usize, usize)> {
    let mut starts: Vec<usize> = (0..n).collect();
    let has_incoming = |i: usize| edges.iter().any(|&(_, to)| to == i);
    starts.sort_by_key(|&i| (has_incoming(i), order(i), i));
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; n];
    let mut kept = Vec::new();
    for start in starts {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some((node, next)) = stack.pop() {
            let out: Vec<usize> = edges.iter().filter(|e| e.0 == node).map(|e| e.1).collect();
            if let Some(&to) = out.get(next) {
                stack.push((node, next + 1));
                match state[to] {
                    1 => {} // back edge: dropped
                    0 => {
                        kept.push((node, to));
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    _ => kept.push((node, to)),
                }
            } else {
                state[node] = 2;
            }
        }
    }
    kept.sort_unstable();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_escalation_is_a_chain_of_five_levels() {
        let steps = standard_escalation();
        let chart = layout(&steps);
        assert_eq!(
            chart.levels,
            vec![vec![0], vec![1], vec![2], vec![3], vec![4]]
        );
        assert_eq!(chart.edges, vec![(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert!(!step_incomplete(&steps[0]), "the discoverer needs no phone");
        assert!(
            step_incomplete(&steps[3]),
            "the security officer must be filled in"
        );
    }

    #[test]
    fn branches_share_a_level_and_cycles_end() {
        let mut steps = standard_escalation();
        steps[2].values.insert(
            "reports_to".into(),
            "医療情報システム安全管理責任者、発見者（職員）".into(),
        );
        steps.push(record(&[
            ("order", "6"),
            ("role", "保守事業者窓口"),
            ("reports_to", ""),
        ]));
        steps[1].values.insert(
            "reports_to".into(),
            "医療情報システム担当、保守事業者窓口".into(),
        );
        let chart = layout(&steps);
        assert_eq!(chart.levels.len(), 5);
        assert!(chart.levels[2].contains(&2) && chart.levels[2].contains(&5));
        assert!(
            !chart.edges.contains(&(2, 0)),
            "the back edge of the cycle is dropped"
        );
    }

    #[test]
    fn required_contacts_never_invent_numbers() {
        let vendor = record(&[
            ("name", "メディカルシステムズ株式会社"),
            ("phone", "03-1111-2222"),
        ]);
        let contacts = required_contacts(Some("東京都"), &[vendor]);
        let with_phone: Vec<&str> = contacts
            .iter()
            .filter(|c| c.get("phone").is_some())
            .map(|c| c.get("organisation").unwrap())
            .collect();
        assert_eq!(
            with_phone,
            [
                "厚生労働省 医政局 特定医薬品開発支援・医療情報担当参事官室",
                "メディカルシステムズ株式会社"
            ]
        );
        assert!(contacts
            .iter()
            .any(|c| c.get("organisation") == Some("警視庁 サイバー犯罪相談窓口")));
        let osaka = required_contacts(Some("大阪府"), &[]);
        assert!(osaka
            .iter()
            .any(|c| c.get("organisation") == Some("大阪府警察 サイバー犯罪相談窓口")));
        let keys: std::collections::HashSet<String> = contacts
            .iter()
            .map(|c| search_key(c.get("organisation").unwrap()))
            .collect();
        assert_eq!(keys.len(), contacts.len(), "keys are unique");
        for contact in &contacts {
            let raw: BTreeMap<String, String> = contact.values.clone();
            CONTACTS
                .validate(&raw, &Default::default())
                .expect("every seeded contact is valid");
        }
        for step in standard_escalation() {
            ESCALATION
                .validate(&step.values, &Default::default())
                .expect("valid step");
        }
    }
}
