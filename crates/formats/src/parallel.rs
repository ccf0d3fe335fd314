//! Checking a large file on every core: rows are independent once read, and a 100,000-device
//! ledger's checking otherwise keeps one core busy for seconds while the other waits.

/// Items from which [`map`] spreads the work over threads; below it, starting threads costs more
/// than it saves.
pub(crate) const PARALLEL_FROM: usize = 2_000;

/// `f` applied to every item, in order: on scoped threads, one contiguous share per core, when
/// there are at least [`PARALLEL_FROM`] items and more than one core; otherwise on this thread.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores < 2 || items.len() < PARALLEL_FROM {
        return items.iter().map(f).collect();
    }
    let share = items.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let f = &f;
        let workers: Vec<_> = items
            .chunks(share)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                // A panic in `f` is the caller's panic, as it would be on one thread.
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_above_and_below_the_threshold() {
        for n in [0, 7, PARALLEL_FROM - 1, PARALLEL_FROM, 10_001] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = map(&items, |i| i * 2);
            assert_eq!(doubled, (0..n).map(|i| i * 2).collect::<Vec<_>>());
        }
    }
}
