//! A fault in a feed file, located by file and position, in Japanese and English.

/// Why a feed file could not be read. Nothing of a file with a fault is imported.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("{file}: 対応していない形式です（endoflife.date・NVD・CISA KEV・EPSS・JVN のファイルを指定してください） / not a feed Mimamori reads (give an endoflife.date, NVD, CISA KEV, EPSS or JVN file)")]
    NotAFeed { file: String },
    #[error("{file}: {what_ja}は取り込めません / {what_en} cannot be imported")]
    Unsupported {
        file: String,
        what_ja: &'static str,
        what_en: &'static str,
    },
    #[error("{file}: {position} で読めません（ファイルが壊れているか途中で切れています） / unreadable at {position} (the file is damaged or cut short): {reason}")]
    Malformed {
        file: String,
        position: String,
        reason: String,
    },
    #[error("{file}: 上限（{limit}）を超えました（{position}） / over the limit of {limit} at {position}")]
    TooLarge {
        file: String,
        limit: String,
        position: String,
    },
    #[error("{file}: 読み込みを中止しました / import stopped: {reason}")]
    Stopped { file: String, reason: String },
}

impl FeedError {
    /// A short code for APIs and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            FeedError::NotAFeed { .. } => "not_a_feed",
            FeedError::Unsupported { .. } => "unsupported_feed",
            FeedError::Malformed { .. } => "malformed_feed",
            FeedError::TooLarge { .. } => "feed_too_large",
            FeedError::Stopped { .. } => "import_stopped",
        }
    }
}
