//! The audit log is append-only and hash-chained: each entry's hash covers its content and the
//! previous entry's hash, so an edited, inserted or deleted row breaks the chain.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub facility_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hashed content of an entry, without its own hash.
pub struct ChainInput<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor_id: Option<i64>,
    pub actor: &'a str,
    pub facility_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub prev_hash: &'a str,
}

impl ChainInput<'_> {
    /// SHA-256 over length-prefixed fields, so no two different entries hash the same text.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        let seq = self.seq.to_string();
        let actor_id = self.actor_id.map(|v| v.to_string());
        let facility_id = self.facility_id.map(|v| v.to_string());
        let fields: [Option<&str>; 11] = [
            Some(&seq),
            Some(self.at),
            actor_id.as_deref(),
            Some(self.actor),
            facility_id.as_deref(),
            Some(self.action),
            Some(self.entity),
            self.entity_id,
            self.before,
            self.after,
            Some(self.prev_hash),
        ];
        for field in fields {
            match field {
                Some(text) => {
                    hasher.update((text.len() as u64).to_be_bytes());
                    hasher.update(text.as_bytes());
                }
                None => hasher.update(u64::MAX.to_be_bytes()),
            }
        }
        hex::encode(hasher.finalize())
    }
}

impl AuditEntry {
    pub fn chain_input(&self) -> ChainInput<'_> {
        ChainInput {
            seq: self.seq,
            at: &self.at,
            actor_id: self.actor_id,
            actor: &self.actor,
            facility_id: self.facility_id,
            action: &self.action,
            entity: &self.entity,
            entity_id: self.entity_id.as_deref(),
            before: self.before.as_deref(),
            after: self.after.as_deref(),
            prev_hash: &self.prev_hash,
        }
    }
}

/// Why the chain is broken, at which entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainBreak {
    /// A sequence number is missing: a row was deleted (or one inserted out of order).
    Gap { expected: i64, found: i64 },
    /// The entry's content no longer matches its hash: the row was edited.
    HashMismatch { seq: i64 },
    /// The entry does not point at its predecessor's hash: a row was inserted or replaced.
    LinkMismatch { seq: i64 },
    /// The head record disagrees with the last entry: the newest rows were deleted.
    HeadMismatch { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Gap { expected, found } => write!(
                f,
                "監査ログ #{expected} が見つかりません（次は #{found}）: 行が削除されています / entry #{expected} is missing (next is #{found}): a row was deleted"
            ),
            ChainBreak::HashMismatch { seq } => write!(
                f,
                "監査ログ #{seq} の内容がハッシュと一致しません: 行が書き換えられています / entry #{seq} does not match its hash: the row was edited"
            ),
            ChainBreak::LinkMismatch { seq } => write!(
                f,
                "監査ログ #{seq} が直前のエントリを指していません: 行が挿入または置換されています / entry #{seq} does not link to its predecessor: a row was inserted or replaced"
            ),
            ChainBreak::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "監査ログの末尾 #{last_seq} が記録上の末尾 #{head_seq} と一致しません: 末尾の行が削除されています / the last entry #{last_seq} differs from the recorded head #{head_seq}: the newest rows were deleted"
            ),
        }
    }
}

/// Incremental verifier: feed entries in sequence order, then call [`ChainVerifier::finish`].
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                expected: self.expected_seq,
                found: entry.seq,
            });
        }
        if entry.chain_input().hash() != entry.hash {
            return Err(ChainBreak::HashMismatch { seq: entry.seq });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainBreak::LinkMismatch { seq: entry.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = entry.hash.clone();
        Ok(())
    }

    /// Compares the end of the chain with the head record kept beside it.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last_seq = self.expected_seq - 1;
        if last_seq != head_seq || self.prev_hash != head_hash {
            return Err(ChainBreak::HeadMismatch { head_seq, last_seq });
        }
        Ok(last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut entry = AuditEntry {
                    seq,
                    at: format!("2026-11-21T00:00:0{seq}.000000Z"),
                    actor_id: Some(1),
                    actor: "admin".into(),
                    facility_id: None,
                    action: "create".into(),
                    entity: "facility".into(),
                    entity_id: Some(seq.to_string()),
                    before: None,
                    after: Some("{}".into()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                entry.hash = entry.chain_input().hash();
                prev = entry.hash.clone();
                entry
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<i64, ChainBreak> {
        let mut verifier = ChainVerifier::default();
        for entry in entries {
            verifier.check(entry)?;
        }
        verifier.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let entries = chain(3);
        assert_eq!(verify(&entries, (3, &entries[2].hash)), Ok(3));
    }

    #[test]
    fn edits_deletions_and_insertions_are_caught() {
        let entries = chain(3);
        let head = (3, entries[2].hash.as_str());
        let mut edited = entries.clone();
        edited[1].after = Some("{\"x\":1}".into());
        assert_eq!(
            verify(&edited, head),
            Err(ChainBreak::HashMismatch { seq: 2 })
        );

        let deleted = vec![entries[0].clone(), entries[2].clone()];
        assert_eq!(
            verify(&deleted, head),
            Err(ChainBreak::Gap {
                expected: 2,
                found: 3
            })
        );

        let truncated = entries[..2].to_vec();
        assert!(matches!(
            verify(&truncated, head),
            Err(ChainBreak::HeadMismatch { .. })
        ));

        let mut replaced = entries.clone();
        replaced[1].prev_hash = GENESIS_HASH.into();
        replaced[1].hash = replaced[1].chain_input().hash();
        assert_eq!(
            verify(&replaced, head),
            Err(ChainBreak::LinkMismatch { seq: 2 })
        );
    }
}
