//! The process's allocator, and how the server has it give freed memory back.

use std::os::unix::process::CommandExt;

/// mimalloc instead of glibc's allocator: imports, exports and the summaries' facts allocate a
/// value per cell, and glibc kept the peak of such a job resident after it ended (the idle
/// server stayed at its last job's size); mimalloc gives the pages back. See docs/benchmarks.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The environment variable with which mimalloc reads its purge delay, once, when the process
/// loads.
const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

/// Has a long-running server return freed memory to the system at once rather than a second
/// later, by running the same command again with mimalloc's purge delay set to 0 (`exec`: same
/// process ID, arguments and descriptors). mimalloc reads its options only when the process
/// loads, and setting them from the program would take `unsafe`, which the workspace forbids.
///
/// Why: mimalloc purges freed pages only when it next allocates after the delay has passed, so
/// a server that computed a 100,000-device facility's summary and then sat idle kept 50–80 MB
/// resident; with no delay it settles at 31–37 MB, and the list benchmark ran at the same rate
/// (1,625 against 1,627 requests per second, docs/benchmarks.md). An operator who sets the
/// variable keeps their own value; if the program cannot be run again, it carries on as it is.
pub fn purge_promptly() {
    if std::env::var_os(PURGE_DELAY).is_some() {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(program)
        .args(std::env::args_os().skip(1))
        .env(PURGE_DELAY, "0")
        .exec();
    tracing::warn!(%error, "could not restart with {PURGE_DELAY}=0; freed memory is returned after mimalloc's default delay");
}
