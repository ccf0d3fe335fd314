//! The checklist's persistence: catalogue editions, assessments and answers, evidence, and the
//! facts the rules engine reads.

mod assessments;
mod editions;
mod evidence;
mod facts;
mod facts_changes;
mod facts_snapshot;

pub use assessments::{Assessment, AssessmentKey, StoredAnswer};
pub use editions::StoredEdition;
pub use evidence::{Evidence, EvidenceFile, MAX_EVIDENCE_BYTES};
pub use facts::{Evaluated, FactsReads};
pub(crate) use facts::{FactsCounters, KeptFacts};
