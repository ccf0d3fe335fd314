//! Per-address throttling of failed sign-ins with unknown e-mails (in memory), beside the
//! per-account wait kept in the database. Guards against one address trying many e-mails.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct AddressThrottle {
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

impl AddressThrottle {
    pub fn new(limit: usize, window_minutes: i64) -> Self {
        Self {
            limit,
            window: Duration::from_secs(window_minutes.max(1) as u64 * 60),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the address has used up its failures for the window.
    pub fn is_blocked(&self, address: IpAddr) -> bool {
        let Ok(mut map) = self.failures.lock() else {
            return false;
        };
        let window = self.window;
        if let Some(list) = map.get_mut(&address) {
            list.retain(|at| at.elapsed() < window);
            return list.len() >= self.limit;
        }
        false
    }

    /// Failures within the window, over every address (for `/metrics`).
    pub fn failures(&self) -> usize {
        let Ok(map) = self.failures.lock() else {
            return 0;
        };
        let window = self.window;
        map.values()
            .map(|list| list.iter().filter(|at| at.elapsed() < window).count())
            .sum()
    }

    pub fn record_failure(&self, address: IpAddr) {
        if let Ok(mut map) = self.failures.lock() {
            // Bound memory: drop addresses whose failures have all aged out.
            if map.len() > 10_000 {
                let window = self.window;
                map.retain(|_, list| list.iter().any(|at| at.elapsed() < window));
            }
            map.entry(address).or_default().push(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit() {
        let throttle = AddressThrottle::new(3, 15);
        let address: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(!throttle.is_blocked(address));
            throttle.record_failure(address);
        }
        assert!(throttle.is_blocked(address));
        assert!(!throttle.is_blocked("127.0.0.2".parse().unwrap()));
    }
}
