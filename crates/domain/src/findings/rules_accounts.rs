//! Rules over the account ledgers (checklist items on access rights by job type and on removing
//! the accounts of leavers and unused accounts; seed 004 Art. 10–12). Each rule lists the accounts
//! concerned in one finding and says how to fix them. Deleted accounts are never listed.

use std::collections::HashMap;

use super::{Draft, FacilityFacts, Finding, RecordKind, RecordRef, Rule, Severity};
use crate::accounts::matching::Roster;
use crate::accounts::{Account, Level, Person};
use crate::validation::search_key;

const REFS: &[&str] = &["システム運用編 8.1", "システム運用編 8.2"];
const RIGHTS: &[&str] = &["access_rights"];
const REMOVE: &[&str] = &["remove_accounts"];

fn account_ref(account: &Account) -> RecordRef {
    RecordRef {
        kind: RecordKind::Account,
        id: Some(account.id),
        label: format!("{}: {}", account.system, account.login_id),
    }
}

/// Generic or shared login IDs: admin, guest, test, user01, 共用 … (letters followed by digits
/// count when the letters are a generic word).
pub fn is_generic_id(login_id: &str) -> bool {
    const WORDS: &[&str] = &[
        "admin",
        "administrator",
        "root",
        "guest",
        "test",
        "user",
        "demo",
        "temp",
        "tmp",
        "shared",
        "common",
        "kyotsu",
        "kyoutsu",
        "staff",
        "nurse",
        "doctor",
        "dr",
        "ns",
        "pc",
        "system",
        "sys",
        "maint",
        "maintenance",
        "vendor",
        "support",
        "共通",
        "共用",
        "管理者",
        "ゲスト",
        "テスト",
    ];
    let key = search_key(login_id);
    let word = key.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_' || c == '-');
    WORDS.contains(&word)
}

/// One finding listing the active accounts that match, or none.
fn per_account(
    rule: &Rule,
    facts: &FacilityFacts,
    severity: Severity,
    matches: impl Fn(&Account, &Roster) -> bool,
    title: impl Fn(usize) -> (String, String),
    fix: (&str, &str),
) -> Vec<Finding> {
    let roster = Roster::by_number(&facts.people);
    let records: Vec<RecordRef> = facts
        .accounts
        .iter()
        .filter(|a| a.is_active() && matches(a, &roster))
        .map(account_ref)
        .collect();
    if records.is_empty() {
        return Vec::new();
    }
    let (ja, en) = title(records.len());
    vec![Draft::new(rule, severity)
        .title(ja, en)
        .detail(fix.0, fix.1)
        .records(records)
        .guideline(REFS)
        .done()]
}

/// The people an account is known to belong to (none while the owner is only suggested).
fn owners<'a>(account: &Account, roster: &Roster<'a>) -> Vec<Option<&'a Person>> {
    if !account.owner_state.is_certain() {
        return Vec::new();
    }
    account.owners.iter().map(|n| roster.person(n)).collect()
}

fn is_shared(account: &Account) -> bool {
    is_generic_id(&account.login_id) || account.owners.len() >= 2
}

pub const LEAVER: Rule = Rule {
    id: "accounts.leaver",
    items: REMOVE,
    check: |facts| {
        per_account(
            &LEAVER,
            facts,
            Severity::High,
            |a, roster| {
                owners(a, roster)
                    .iter()
                    .any(|p| p.is_some_and(|p| p.has_left(facts.today)))
            },
            |n| {
                (
                    format!("退職者の有効なアカウントが {n} 件あります"),
                    format!("{n} active accounts belong to people who have left"),
                )
            },
            (
                "退職した職員のアカウントを停止または削除し、停止した日を記録してください。人事の退職連絡でID停止申請が出る流れを決めておくと漏れを防げます。",
                "Suspend or delete the accounts of staff who have left and record when; have HR's leaving notice trigger a revocation request.",
            ),
        )
    },
};

pub const UNKNOWN_OWNER: Rule = Rule {
    id: "accounts.unknown_owner",
    items: REMOVE,
    check: |facts| {
        per_account(
            &UNKNOWN_OWNER,
            facts,
            Severity::Medium,
            |a, roster| {
                !a.privileged
                    && !is_shared(a)
                    && (!a.owner_state.is_certain()
                        || a.owners.is_empty()
                        || owners(a, roster).iter().any(Option::is_none))
            },
            |n| {
                (
                    format!("持ち主が職員名簿で確認できないアカウントが {n} 件あります"),
                    format!("{n} accounts have no owner on the staff roster"),
                )
            },
            (
                "アカウントごとに職員を割り当てるか、氏名で推定された持ち主を確認してください。誰のものか分からないアカウントは停止してください。",
                "Assign each account to a person or confirm the owner guessed from the name; suspend accounts nobody owns.",
            ),
        )
    },
};

pub const PRIVILEGED_WITHOUT_OWNER: Rule = Rule {
    id: "accounts.privileged_without_owner",
    items: RIGHTS,
    check: |facts| {
        per_account(
            &PRIVILEGED_WITHOUT_OWNER,
            facts,
            Severity::High,
            |a, roster| {
                a.privileged
                    && (a.owners.is_empty()
                        || !a.owner_state.is_certain()
                        || owners(a, roster).iter().any(Option::is_none))
            },
            |n| {
                (
                    format!("管理者権限を持つが責任者の決まっていないアカウントが {n} 件あります"),
                    format!("{n} administrator accounts have no responsible owner"),
                )
            },
            (
                "管理者権限のアカウントには必ず責任を持つ職員を割り当て、使う人の範囲を明確にしてください（R7 で求められる事項）。不要なら停止してください。",
                "Give every administrator account a responsible person and limit who uses it; suspend it if it is not needed.",
            ),
        )
    },
};

pub const SHARED: Rule = Rule {
    id: "accounts.shared",
    items: RIGHTS,
    check: |facts| {
        per_account(
            &SHARED,
            facts,
            Severity::Medium,
            |a, _| is_shared(a),
            |n| {
                (
                    format!("共用・汎用のアカウント（admin、user01、複数人で使うID など）が {n} 件あります"),
                    format!("{n} shared or generic accounts (admin, user01, IDs used by several people)"),
                )
            },
            (
                "利用者ごとに個別のIDを発行し、共用IDは停止してください。やむを得ず残す場合は使う人と理由を記録してください。",
                "Issue an individual ID to each user and suspend shared IDs; where one must stay, record who uses it and why.",
            ),
        )
    },
};

pub const BEYOND_POLICY: Rule = Rule {
    id: "accounts.beyond_policy",
    items: RIGHTS,
    check: |facts| {
        // (system, job type) → category → level, for the systems that have a policy.
        let mut policy: HashMap<(&str, &str), HashMap<&str, Level>> = HashMap::new();
        for cell in &facts.policies {
            policy
                .entry((cell.system.as_str(), cell.job_type.as_str()))
                .or_default()
                .insert(cell.category.as_str(), cell.level);
        }
        let systems: std::collections::HashSet<&str> =
            facts.policies.iter().map(|p| p.system.as_str()).collect();
        // System names in search form, computed once per name rather than once per account.
        let keys: HashMap<&str, String> = facts
            .accounts
            .iter()
            .map(|a| a.system.as_str())
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .map(|name| (name, search_key(name)))
            .collect();
        per_account(
            &BEYOND_POLICY,
            facts,
            Severity::Medium,
            |a, roster| {
                let system = &keys[a.system.as_str()];
                if !systems.contains(system.as_str()) {
                    return false;
                }
                owners(a, roster).iter().flatten().any(|person| {
                    let allowed = policy.get(&(system.as_str(), person.job_type.as_str()));
                    a.privileges.0.iter().any(|(category, level)| {
                        *level
                            > allowed
                                .and_then(|cells| cells.get(category))
                                .copied()
                                .unwrap_or(Level::None)
                    })
                })
            },
            |n| {
                (
                    format!("職種の権限表を超える権限を持つアカウントが {n} 件あります"),
                    format!("{n} accounts have rights beyond the policy for their owner's job type"),
                )
            },
            (
                "職種ごとの権限表（情報区分×参照/更新）に合わせて権限を下げるか、業務上必要なら権限表を見直してください。",
                "Reduce the rights to the job type's policy, or revise the policy if the work needs them.",
            ),
        )
    },
};

pub const EXPIRED_ACTIVE: Rule = Rule {
    id: "accounts.expired_active",
    items: REMOVE,
    check: |facts| {
        per_account(
            &EXPIRED_ACTIVE,
            facts,
            Severity::Medium,
            |a, _| a.expires_on.is_some_and(|d| d < facts.today),
            |n| {
                (
                    format!("有効期限が過ぎても有効なままのアカウントが {n} 件あります"),
                    format!("{n} accounts are still active past their expiry date"),
                )
            },
            (
                "期限切れのアカウントを停止してください。継続して使う場合は申請に基づき期限を延長してください。",
                "Suspend expired accounts; extend the expiry only on an application.",
            ),
        )
    },
};

pub const UNUSED: Rule = Rule {
    id: "accounts.unused",
    items: REMOVE,
    check: |facts| {
        let days = facts.unused_days;
        let stale = |date: Option<chrono::NaiveDate>| {
            date.is_some_and(|d| (facts.today - d).num_days() > days)
        };
        per_account(
            &UNUSED,
            facts,
            Severity::Low,
            |a, _| match a.last_sign_in_on {
                Some(_) => stale(a.last_sign_in_on),
                // Never used: count from its creation, when known.
                None => stale(a.created_on),
            },
            |n| {
                (
                    format!("{days} 日以上ログインのないアカウントが {n} 件あります"),
                    format!("{n} accounts have not signed in for more than {days} days"),
                )
            },
            (
                "使っていないアカウントは停止してください。休職中などで残す場合は理由を記録してください。",
                "Suspend accounts that are not used; where one stays (e.g. leave of absence), record why.",
            ),
        )
    },
};

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::accounts::account::{AccountStatus, OwnerState};
    use crate::accounts::Privileges;
    use crate::facility::FacilityKind;
    use crate::findings::PolicyFacts;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn person(number: &str, job: &str) -> Person {
        Person {
            staff_number: number.into(),
            name: format!("職員{number}"),
            job_type: job.into(),
            employment: "employed".into(),
            ..Person::default()
        }
    }

    fn account(id: i64, login: &str, owner: &str) -> Account {
        Account {
            id,
            system: "電子カルテ".into(),
            login_id: login.into(),
            display_name: String::new(),
            owners: vec![owner.into()],
            owner_state: OwnerState::Matched,
            role: String::new(),
            privileges: Privileges::parse("カルテ:更新").unwrap(),
            privileged: false,
            status: AccountStatus::Active,
            created_on: Some(day(2024, 4, 1)),
            last_sign_in_on: Some(day(2026, 11, 20)),
            expires_on: None,
        }
    }

    /// Two doctors with their own accounts, within a policy that lets doctors write records.
    fn clean() -> FacilityFacts {
        let mut facts = FacilityFacts::new(day(2026, 11, 21), FacilityKind::Hospital);
        facts.people = vec![person("1001", "doctor"), person("1002", "doctor")];
        facts.accounts = vec![account(1, "d1001", "1001"), account(2, "d1002", "1002")];
        facts.policies = vec![PolicyFacts {
            system: search_key("電子カルテ"),
            job_type: "doctor".into(),
            category: "medical_record".into(),
            level: Level::Write,
        }];
        facts
    }

    fn fired(facts: &FacilityFacts, rule: &Rule) -> Vec<String> {
        (rule.check)(facts)
            .into_iter()
            .flat_map(|f| f.records.into_iter().map(|r| r.label))
            .collect()
    }

    #[test]
    fn a_clean_roster_triggers_no_account_rule() {
        let facts = clean();
        for rule in [
            &LEAVER,
            &UNKNOWN_OWNER,
            &PRIVILEGED_WITHOUT_OWNER,
            &SHARED,
            &BEYOND_POLICY,
            &EXPIRED_ACTIVE,
            &UNUSED,
        ] {
            assert!(fired(&facts, rule).is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn each_rule_fires_on_its_case_only_while_the_account_is_active() {
        let mut facts = clean();
        facts.people[0].left_on = Some(day(2026, 10, 31));
        assert_eq!(fired(&facts, &LEAVER), ["電子カルテ: d1001"]);
        facts.accounts[0].status = AccountStatus::Suspended;
        assert!(fired(&facts, &LEAVER).is_empty());

        let mut facts = clean();
        facts.accounts[1].owner_state = OwnerState::Suggested;
        assert_eq!(fired(&facts, &UNKNOWN_OWNER), ["電子カルテ: d1002"]);
        facts.accounts[1].owner_state = OwnerState::Confirmed;
        facts.accounts[1].owners = vec!["9999".into()];
        assert_eq!(fired(&facts, &UNKNOWN_OWNER).len(), 1, "not on the roster");

        let mut facts = clean();
        facts.accounts.push(account(3, "admin", ""));
        facts.accounts[2].owners.clear();
        facts.accounts[2].privileged = true;
        assert_eq!(
            fired(&facts, &PRIVILEGED_WITHOUT_OWNER),
            ["電子カルテ: admin"]
        );
        assert_eq!(fired(&facts, &SHARED), ["電子カルテ: admin"]);
        assert!(
            fired(&facts, &UNKNOWN_OWNER).is_empty(),
            "reported once, as privileged"
        );

        let mut facts = clean();
        facts.accounts[0].owners.push("1002".into());
        assert_eq!(fired(&facts, &SHARED), ["電子カルテ: d1001"], "two people");

        let mut facts = clean();
        facts.accounts[0].privileges = Privileges::parse("カルテ:更新,医事:参照").unwrap();
        assert_eq!(fired(&facts, &BEYOND_POLICY), ["電子カルテ: d1001"]);
        facts.accounts[0].system = "PACS".into();
        assert!(
            fired(&facts, &BEYOND_POLICY).is_empty(),
            "PACS has no policy"
        );

        let mut facts = clean();
        facts.accounts[0].expires_on = Some(day(2026, 11, 20));
        facts.accounts[1].expires_on = Some(day(2026, 11, 21));
        assert_eq!(fired(&facts, &EXPIRED_ACTIVE), ["電子カルテ: d1001"]);

        let mut facts = clean();
        facts.accounts[0].last_sign_in_on = Some(day(2026, 8, 22)); // 91 days
        facts.accounts[1].last_sign_in_on = Some(day(2026, 8, 23)); // 90 days
        assert_eq!(fired(&facts, &UNUSED), ["電子カルテ: d1001"]);
        facts.unused_days = 30;
        assert_eq!(fired(&facts, &UNUSED).len(), 2);
    }

    #[test]
    fn generic_ids() {
        for id in ["admin", "ADMIN", "user01", "ｇｕｅｓｔ", "test_2", "共用"] {
            assert!(is_generic_id(id), "{id}");
        }
        for id in ["d1001", "yamada", "n20001", "administrator_tanaka"] {
            assert!(!is_generic_id(id), "{id}");
        }
    }
}
