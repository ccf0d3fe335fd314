//! Reading and checking a file is seconds of CPU for a large ledger; on the async runtime three
//! concurrent uploads of an 11.6 MB XLSX stalled `/healthz` for 10 s. Files are read on the
//! blocking pool instead, a bounded number at a time, so the server keeps answering and memory
//! stays bounded however many uploads arrive together.

use tokio::sync::Semaphore;

/// Files read at once: more at once would only hold more files in memory and share the same
/// cores.
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

/// `work` on the blocking pool (in one of the [`CONCURRENT_READS`] slots, held until it ends),
/// handing what it makes to the caller through a channel of `depth` as it goes: an import reads
/// its next chunk of rows while the database writes the last one, and never holds more than
/// `depth` chunks in between. The handle gives `work`'s result.
pub fn streamed<T: Send + 'static, R: Send + 'static>(
    depth: usize,
    work: impl FnOnce(&tokio::sync::mpsc::Sender<T>) -> R + Send + 'static,
) -> (
    tokio::sync::mpsc::Receiver<T>,
    impl std::future::Future<Output = R>,
) {
    let (send, receive) = tokio::sync::mpsc::channel(depth);
    // Spawned, so that it runs while the caller takes what it sends.
    let task = tokio::spawn(async move {
        let _slot = READS.acquire().await;
        tokio::task::spawn_blocking(move || work(&send)).await
    });
    let done = async move {
        match task.await {
            Ok(Ok(value)) => value,
            Ok(Err(error)) | Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    };
    (receive, done)
}
