//! The device ledger's import, a chunk at a time: the file is read on the blocking pool (twice:
//! see `formats::devices_stream`) while the database matches and writes the chunks before,
//! so memory holds a few chunks whatever the file's length. One transaction still holds the
//! whole import: a file with errors (unless they are skipped), one that removes too much, or
//! one whose reading fails is taken back whole.

use mimamori_domain::accounts::ColumnMapping;
use mimamori_domain::ledger::device::Device;
use mimamori_formats::devices::{DeviceChunk, DeviceHeader};
use mimamori_formats::rows::head;
use mimamori_formats::table::{Flow, Limits, Source, TableFile};
use mimamori_formats::{ImportProblem, Severity};
use mimamori_store::ledger::DeviceImportRun;
use mimamori_store::{Actor, StoreError, WriteTx};

use super::{conclude, off_runtime, streamed, unreadable, ImportReport, Outcome, Target};

/// Devices handed from the reading to the database at a time.
const CHUNK: usize = 2_000;

/// Chunks read ahead of the database at most.
const AHEAD: usize = 2;

/// Rows of each sheet looked at for its header (and for remembering the file's shape).
const HEAD_ROWS: usize = 30;

/// Problems listed; past them only counted (a file failing every one of a million rows would
/// otherwise hold a million messages).
pub const LISTED_PROBLEMS: usize = 20_000;

pub(super) async fn run(
    target: &Target<'_>,
    actor: &Actor,
    source: Source,
    sheet: Option<&str>,
    given: Option<ColumnMapping>,
) -> Result<ImportReport, StoreError> {
    let store = target.store;
    let opened = {
        let (name, wanted) = (target.file_name.to_string(), sheet.map(String::from));
        off_runtime(move || {
            let mut file = TableFile::open(source, &name, &Limits::streamed())?;
            let names = match &wanted {
                Some(wanted) => vec![wanted.clone()],
                None => file.sheet_names(),
            };
            let head = head(&mut file, wanted.as_deref(), &names, HEAD_ROWS)?;
            Ok((file, head))
        })
        .await
    };
    let (mut file, head) = match opened {
        Ok(opened) => opened,
        Err(error) => return Ok(unreadable(target.file_name, sheet, &error)),
    };
    let shape = target.shape(&head);
    let explicit = given.is_some();
    let mapping = target.mapping(&shape, given).await?;
    let header = match DeviceHeader::find(&head, mapping.as_ref()) {
        Ok(header) => header,
        Err(problem) => {
            let outcome = Outcome {
                tx: None,
                counts: Default::default(),
                problems: vec![*problem],
                records_in_file: 0,
                mapping,
                explicit,
                shape,
                omitted: (0, 0),
            };
            return conclude(target, outcome).await;
        }
    };
    let mut run = DeviceImportRun::start(store, target.facility_id, header.present()).await?;
    let (mut chunks, reading) = streamed(AHEAD, move |send| {
        header.stream(&mut file, CHUNK, &mut |chunk| {
            if send.blocking_send(chunk).is_ok() {
                Flow::Continue
            } else {
                Flow::Stop
            }
        })
    });
    let mut problems = Problems::default();
    let mut tx: Option<WriteTx> = None;
    let mut records = 0;
    while let Some(DeviceChunk {
        devices,
        problems: found,
    }) = chunks.recv().await
    {
        problems.take(found);
        let devices: Vec<Device> = devices.into_iter().map(|p| p.device).collect();
        records += devices.len();
        // Once the file cannot be written, the rest is only counted (in the transaction, if one
        // was begun, which is then dropped).
        let writes = target.writes(&problems.listed) && problems.more_errors == 0;
        match (writes, tx.as_mut()) {
            (true, Some(tx)) => run.write(tx, &devices).await?,
            (true, None) => {
                // The write lock is taken once the first chunk is read, not while the file's
                // first reading (every row's 管理番号) runs.
                let begun = tx.insert(store.write(actor).await?);
                run.write(begun, &devices).await?
            }
            (false, Some(tx)) => run.count_in(tx, &devices).await?,
            (false, None) => run.preview(store, &devices).await?,
        }
    }
    if let Err(error) = reading.await {
        return Ok(unreadable(target.file_name, sheet, &error));
    }
    let omitted = (problems.more_errors, problems.more_warnings);
    let mut problems = problems.finish();
    if !target.writes(&problems) {
        tx = None;
    }
    let counts = run.finish(tx.as_mut()).await?;
    problems.sort_by_key(|p| (p.row, p.severity == Severity::Warning));
    let outcome = Outcome {
        tx,
        counts,
        problems,
        records_in_file: records,
        mapping,
        explicit,
        shape,
        omitted,
    };
    conclude(target, outcome).await
}

/// The problems of an import: the first [`LISTED_PROBLEMS`] kept, the rest counted.
#[derive(Default)]
struct Problems {
    listed: Vec<ImportProblem>,
    more_errors: usize,
    more_warnings: usize,
}

impl Problems {
    fn take(&mut self, found: Vec<ImportProblem>) {
        for problem in found {
            if self.listed.len() < LISTED_PROBLEMS {
                self.listed.push(problem);
            } else if problem.severity == Severity::Error {
                self.more_errors += 1;
            } else {
                self.more_warnings += 1;
            }
        }
    }

    /// The listed problems, with one more saying how many were left out (an error when errors
    /// were, so that a file with errors never reads as one without), and those left out.
    fn finish(self) -> Vec<ImportProblem> {
        let mut listed = self.listed;
        if self.more_errors + self.more_warnings > 0 {
            let severity = if self.more_errors > 0 {
                Severity::Error
            } else {
                Severity::Warning
            };
            let issue = mimamori_domain::Issue::new("file", "problems_omitted")
                .with("kept", LISTED_PROBLEMS)
                .with("errors", self.more_errors)
                .with("warnings", self.more_warnings);
            listed.push(ImportProblem::new(severity, "", 0, "", "", &issue));
        }
        listed
    }
}
