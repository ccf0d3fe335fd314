//! Values the rules derive from a facility's facts and share: each device's assessment and the
//! fingerprint that says whether a derived value still stands.

use super::{DeviceFacts, FacilityFacts};

/// A value derived from the facts it sits in, kept with the fingerprint of what it was derived
/// from: asked again with the same fingerprint it is shared, with another (the facts were
/// changed in place) it is derived afresh. A copy of the facts starts without it.
pub struct Memo<T>(std::sync::Mutex<Option<(u64, std::sync::Arc<T>)>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(std::sync::Mutex::new(None))
    }
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

/// Derived, so not part of what the facts say: two equal facts print alike whether or not
/// something was derived from them yet.
impl<T> std::fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl<T> Memo<T> {
    pub fn get_or_compute(&self, fingerprint: u64, f: impl FnOnce() -> T) -> std::sync::Arc<T> {
        if let Ok(held) = self.0.lock() {
            if let Some((kept, value)) = held.as_ref() {
                if *kept == fingerprint {
                    return value.clone();
                }
            }
        }
        let value = std::sync::Arc::new(f());
        if let Ok(mut held) = self.0.lock() {
            *held = Some((fingerprint, value.clone()));
        }
        value
    }
}

/// See [`FacilityFacts::pinned`]; 0 when not pinned. A copy is not pinned.
#[derive(Default)]
pub(super) struct Pinned(pub(super) std::sync::atomic::AtomicU64);

impl std::fmt::Debug for Pinned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pinned")
    }
}

impl Clone for Pinned {
    fn clone(&self) -> Self {
        Pinned::default()
    }
}

/// Unpins the fingerprint when the evaluation ends.
pub(super) struct PinGuard<'f>(pub(super) &'f FacilityFacts);

impl Drop for PinGuard<'_> {
    fn drop(&mut self) {
        self.0
            .pinned
            .0
            .store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

impl FacilityFacts {
    /// Every device's assessment (what it runs, its end of support, its platform and exposure),
    /// in the order of `devices`: computed once per facts, and once per distinct way of writing
    /// a device — a hospital's 160 PCs written alike are identified once.
    pub fn assessments(
        &self,
    ) -> std::sync::Arc<Vec<std::sync::Arc<crate::vulnerabilities::assess::DeviceAssessment>>> {
        self.assessments.get_or_compute(self.fingerprint(), || {
            let mut seen: std::collections::HashMap<String, std::sync::Arc<_>> =
                std::collections::HashMap::new();
            let mut identifier = crate::vulnerabilities::assess::Identifier::default();
            self.devices
                .iter()
                .map(|d| {
                    seen.entry(d.assessment_key())
                        .or_insert_with(|| {
                            std::sync::Arc::new(d.assess_with(
                                &mut identifier,
                                &self.lifecycle,
                                &self.mappings,
                                self.today,
                            ))
                        })
                        .clone()
                })
                .collect()
        })
    }

    /// The devices in use with their assessments.
    pub fn devices_in_use(
        &self,
    ) -> Vec<(
        &DeviceFacts,
        std::sync::Arc<crate::vulnerabilities::assess::DeviceAssessment>,
    )> {
        self.devices
            .iter()
            .zip(self.assessments().iter())
            .filter(|(d, _)| d.in_use())
            .map(|(d, a)| (d, a.clone()))
            .collect()
    }

    /// What the derived values (assessments, matched vulnerabilities) depend on, hashed: the
    /// day, the devices, the suppressions, and which lifecycle, mappings and records are held.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let pinned = self.pinned.0.load(std::sync::atomic::Ordering::Relaxed);
        if pinned != 0 {
            return pinned;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.today.hash(&mut hasher);
        self.devices.hash(&mut hasher);
        self.suppressions.hash(&mut hasher);
        std::ptr::hash(std::sync::Arc::as_ptr(&self.lifecycle), &mut hasher);
        std::ptr::hash(std::sync::Arc::as_ptr(&self.mappings), &mut hasher);
        std::ptr::hash(std::sync::Arc::as_ptr(&self.cves), &mut hasher);
        self.cves.len().hash(&mut hasher);
        hasher.finish()
    }
}
