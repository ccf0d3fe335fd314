//! The feeds Mimamori learns danger from.

use serde::Serialize;

/// A feed source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedSource {
    EndOfLife,
    Nvd,
    Kev,
    Epss,
    Jvn,
    /// NVD's CPE dictionary (Products API 2.0), for the names an administrator maps to.
    Cpe,
}

impl FeedSource {
    pub const ALL: [FeedSource; 6] = [
        FeedSource::EndOfLife,
        FeedSource::Nvd,
        FeedSource::Kev,
        FeedSource::Epss,
        FeedSource::Jvn,
        FeedSource::Cpe,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FeedSource::EndOfLife => "endoflife",
            FeedSource::Nvd => "nvd",
            FeedSource::Kev => "kev",
            FeedSource::Epss => "epss",
            FeedSource::Jvn => "jvn",
            FeedSource::Cpe => "cpe",
        }
    }

    pub fn parse(code: &str) -> Option<FeedSource> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The source's name as people know it.
    pub fn title(self) -> &'static str {
        match self {
            FeedSource::EndOfLife => "endoflife.date",
            FeedSource::Nvd => "NVD (CVE API 2.0)",
            FeedSource::Kev => "CISA KEV",
            FeedSource::Epss => "FIRST EPSS",
            FeedSource::Jvn => "JVN iPedia / MyJVN",
            FeedSource::Cpe => "NVD CPE 辞書 / dictionary",
        }
    }
}
