//! The process's allocator, and how the server has it give freed memory back.

use std::os::unix::process::CommandExt;

/// mimalloc instead of glibc's allocator: imports, exports and the summaries' facts allocate a
/// value per cell, and glibc kept the peak of such a job resident after it ended (the idle
/// server stayed at its last job's size); mimalloc gives the pages back. See docs/benchmarks.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The mimalloc option every command runs with: no transparent huge pages. mimalloc asks the
/// kernel for huge pages on its arenas, and memory it gives back and takes again is then faulted
/// in and zeroed 2 MB at a time. Measured (docs/benchmarks.md, session 10): reading and checking a
/// 100,000-device CP932 file took 3.4–4.0 s with them, 2.3–2.7 s without (kernel time 3.5 → 2.4 s
/// for the whole import); the XLSX export's peak memory 85–96 → 67–71 MB.
const EVERY_COMMAND: [(&str, &str); 1] = [("MIMALLOC_ALLOW_THP", "0")];

/// The mimalloc options a long-running server runs with besides, as the environment variables
/// through which mimalloc reads them, once, when the process loads:
/// - no purge delay: freed pages go back at once, not when the thread next allocates a second
///   later;
/// - arenas committed as used, not eagerly: a purge then decommits pages (the kernel takes them
///   back and they leave the resident set) rather than marking them free for the kernel to take
///   some time under memory pressure.
///
/// - and for glibc's allocator, which SQLite (C, on the connections' worker threads) still uses:
///   blocks of 128 KiB and more mapped on their own and unmapped when freed. glibc otherwise
///   raises that threshold to the size of the largest block freed (up to 32 MiB), and SQLite's
///   large transient buffers — the JSON text of a 100,000-device read — then stay in its
///   arenas after the job.
///
/// Measured (docs/benchmarks.md, session 9): idle after computing a 100,000-device facility's
/// summary 53–62 MB with mimalloc's defaults, 42–44 MB with these; peak under the list
/// benchmark 55 → 37 MB; the list's rate the same within the machine's noise. Session 12 (the
/// summary's first computation now also writes the facility's facts snapshot): 56–69 MB without
/// the glibc threshold, 37–39 MB with it (alone: 37.5; `MALLOC_ARENA_MAX=2` alone 58.7,
/// `MALLOC_TRIM_THRESHOLD_` alone 44.6).
const SERVER_OPTIONS: [(&str, &str); 3] = [
    ("MIMALLOC_PURGE_DELAY", "0"),
    ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
    ("MALLOC_MMAP_THRESHOLD_", "131072"),
];

/// Runs the same command again (`exec`: same process ID, arguments and descriptors) with
/// [`EVERY_COMMAND`] — and for the server [`SERVER_OPTIONS`] — set where the environment does
/// not set them already. Setting the allocators' options from the program would take `unsafe`,
/// which the workspace forbids. An operator's own values are kept; if the program cannot be run again,
/// it carries on with mimalloc's defaults.
pub fn use_options(server: bool) {
    let server_options: &[(&str, &str)] = if server { &SERVER_OPTIONS } else { &[] };
    let missing: Vec<(&str, &str)> = EVERY_COMMAND
        .iter()
        .chain(server_options)
        .filter(|(name, _)| std::env::var_os(name).is_none())
        .copied()
        .collect();
    if missing.is_empty() {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(program)
        .args(std::env::args_os().skip(1))
        .envs(missing)
        .exec();
    tracing::warn!(%error, "could not restart with the allocator's options; running with mimalloc's defaults");
}
