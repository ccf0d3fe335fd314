//! A reader that counts what it gives: the position for error messages, and limits on the
//! whole file and on any one record, so a hostile file cannot make the importer hold more
//! than one bounded record at a time.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Bytes read in all and since the last record, shared with the code that ends records.
#[derive(Debug, Default, Clone)]
pub(crate) struct Meter {
    total: Rc<Cell<u64>>,
    since_record: Rc<Cell<u64>>,
}

impl Meter {
    pub fn total(&self) -> u64 {
        self.total.get()
    }

    /// A record ended: the next one starts counting from here.
    pub fn record_ended(&self) {
        self.since_record.set(0);
    }
}

/// The limits a feed file is read within.
#[derive(Debug, Clone, Copy)]
pub struct FeedLimits {
    /// The whole file once decompressed.
    pub total: u64,
    /// One record (one CVE, one product, one line).
    pub record: u64,
}

impl Default for FeedLimits {
    fn default() -> Self {
        FeedLimits {
            // NVD's whole history is ~2.5 GB as API 2.0 JSON; endoflife.date's is ~3 MB.
            total: 16 * 1024 * 1024 * 1024,
            record: 32 * 1024 * 1024,
        }
    }
}

/// Which limit a read went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Over {
    Total,
    Record,
}

pub(crate) struct Guarded<R> {
    inner: R,
    meter: Meter,
    limits: FeedLimits,
    pub over: Rc<Cell<Option<Over>>>,
}

impl<R: Read> Guarded<R> {
    pub fn new(inner: R, limits: FeedLimits) -> (Self, Meter, Rc<Cell<Option<Over>>>) {
        let meter = Meter::default();
        let over = Rc::new(Cell::new(None));
        (
            Guarded {
                inner,
                meter: meter.clone(),
                limits,
                over: over.clone(),
            },
            meter,
            over,
        )
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.meter.total.get() + n as u64;
        let since = self.meter.since_record.get() + n as u64;
        self.meter.total.set(total);
        self.meter.since_record.set(since);
        let over = if total > self.limits.total {
            Some(Over::Total)
        } else if since > self.limits.record {
            Some(Over::Record)
        } else {
            None
        };
        if let Some(over) = over {
            self.over.set(Some(over));
            return Err(io::Error::other("over the limit"));
        }
        Ok(n)
    }
}
