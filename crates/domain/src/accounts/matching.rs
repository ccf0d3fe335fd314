//! Matching accounts to people: by the staff number in the login ID (certain), or by the name the
//! system shows (uncertain — a person confirms it). Names are compared after NFKC, without spaces
//! or middle dots, with katakana folded to hiragana, so 「ヤマダ　タロウ」 finds 「やまだ たろう」.

use std::collections::HashMap;

use super::account::{Account, OwnerState};
use super::staff::Person;
use crate::validation::search_key;

/// A name in comparable form.
pub fn name_key(text: &str) -> String {
    search_key(text)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '・' | '･' | '.' | '-'))
        .map(|c| match c {
            // Katakana ァ..ヶ → hiragana ぁ..ゖ
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The roster indexed for matching.
pub struct Roster<'a> {
    by_number: HashMap<String, &'a Person>,
    by_name: HashMap<String, Vec<&'a Person>>,
}

/// The owner found for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerMatch {
    pub staff_number: String,
    pub state: OwnerState,
}

impl<'a> Roster<'a> {
    pub fn new(people: &'a [Person]) -> Self {
        let mut by_number = HashMap::new();
        let mut by_name: HashMap<String, Vec<&Person>> = HashMap::new();
        for person in people {
            by_number.insert(person.key(), person);
            for name in [&person.name, &person.kana] {
                let key = name_key(name);
                if !key.is_empty() {
                    let entry = by_name.entry(key).or_default();
                    if !entry.iter().any(|p| p.staff_number == person.staff_number) {
                        entry.push(person);
                    }
                }
            }
        }
        Self { by_number, by_name }
    }

    /// The roster by staff number only (what the rules need: no name index to build).
    pub fn by_number(people: &'a [Person]) -> Self {
        Self {
            by_number: people.iter().map(|p| (p.key(), p)).collect(),
            by_name: HashMap::new(),
        }
    }

    pub fn person(&self, staff_number: &str) -> Option<&'a Person> {
        self.by_number.get(&search_key(staff_number)).copied()
    }

    /// The owner of an account whose owner is not yet known; None when nothing fits, or when a
    /// name fits several people.
    pub fn find_owner(&self, login_id: &str, display_name: &str) -> Option<OwnerMatch> {
        let login = search_key(login_id);
        let digits_core =
            login.trim_matches(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '-');
        for candidate in [login.as_str(), digits_core] {
            if candidate.len() >= 3 {
                if let Some(person) = self.by_number.get(candidate) {
                    return Some(OwnerMatch {
                        staff_number: person.staff_number.clone(),
                        state: OwnerState::Matched,
                    });
                }
            }
        }
        match self.by_name.get(&name_key(display_name)).map(Vec::as_slice) {
            Some([person]) => Some(OwnerMatch {
                staff_number: person.staff_number.clone(),
                state: OwnerState::Suggested,
            }),
            _ => None,
        }
    }

    /// Fills in owners of accounts whose owner is unknown or only suggested; returns how many
    /// accounts were matched with certainty and how many were suggested.
    pub fn match_accounts(&self, accounts: &mut [Account]) -> (usize, usize) {
        let (mut certain, mut suggested) = (0, 0);
        for account in accounts.iter_mut() {
            if !matches!(
                account.owner_state,
                OwnerState::Unknown | OwnerState::Suggested
            ) {
                continue;
            }
            match self.find_owner(&account.login_id, &account.display_name) {
                Some(found) => {
                    if found.state == OwnerState::Matched {
                        certain += 1;
                    } else {
                        suggested += 1;
                    }
                    account.owners = vec![found.staff_number];
                    account.owner_state = found.state;
                }
                None => {
                    account.owners.clear();
                    account.owner_state = OwnerState::Unknown;
                }
            }
        }
        (certain, suggested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(number: &str, name: &str, kana: &str) -> Person {
        Person {
            staff_number: number.into(),
            name: name.into(),
            kana: kana.into(),
            job_type: "nurse".into(),
            ..Person::default()
        }
    }

    #[test]
    fn staff_numbers_in_login_ids_are_certain_names_are_suggestions() {
        let people = vec![
            person("10234", "山田 太郎", "ヤマダ タロウ"),
            person("10235", "佐藤 花子", "サトウ ハナコ"),
            person("20001", "鈴木 一郎", "スズキ イチロウ"),
            person("20002", "鈴木 一郎", "スズキ イチロウ"),
        ];
        let roster = Roster::new(&people);
        let found = |login: &str, name: &str| roster.find_owner(login, name);
        assert_eq!(
            found("10234", ""),
            Some(OwnerMatch {
                staff_number: "10234".into(),
                state: OwnerState::Matched
            })
        );
        assert_eq!(found("ｄ１０２３５", "").unwrap().staff_number, "10235");
        assert_eq!(found("n10235x", "").unwrap().state, OwnerState::Matched);
        let by_kana = found("hanako", "さとう　はなこ").unwrap();
        assert_eq!(
            (by_kana.staff_number.as_str(), by_kana.state),
            ("10235", OwnerState::Suggested)
        );
        assert_eq!(found("taro", "山田太郎").unwrap().staff_number, "10234");
        assert_eq!(
            found("suzuki", "鈴木一郎"),
            None,
            "two people share the name"
        );
        assert_eq!(found("user01", "共用端末"), None);
        assert_eq!(found("12", ""), None, "too short to be a staff number");
    }
}
