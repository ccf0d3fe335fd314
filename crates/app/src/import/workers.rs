//! Reading and checking a file is seconds of CPU for a large ledger; on the async runtime three
//! concurrent uploads of an 11.6 MB XLSX stalled `/healthz` for 10 s. Files are read on the
//! blocking pool instead, a bounded number at a time, so the server keeps answering and memory
//! stays bounded however many uploads arrive together.

use tokio::sync::Semaphore;

/// Files read at once. Each read already uses every core for its rows (formats' `parallel`), so
/// more at once would only hold more files in memory.
pub const CONCURRENT_READS: usize = 2;

static READS: Semaphore = Semaphore::const_new(CONCURRENT_READS);

/// `work` on the blocking pool once one of the [`CONCURRENT_READS`] slots is free; a panic in it
/// is the caller's panic.
pub async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    // The semaphore is never closed, so acquiring only waits.
    let _slot = READS.acquire().await;
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}
