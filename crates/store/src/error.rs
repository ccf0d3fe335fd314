use mimamori_domain::Issues;

/// Every failure of the store. Unique-constraint violations become [`StoreError::Conflict`]
/// (matched on the database error's kind, as SQLite does not name constraints).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("データが見つかりません / not found")]
    NotFound,
    #[error("同じ値が既に登録されています / already exists")]
    Conflict,
    #[error("承認済みのため変更できません。変更するには承認を解除してください / signed off and locked: unlock it to make changes")]
    Locked,
    /// The action is not allowed in the record's current state; the message says why.
    #[error("{0}")]
    Refused(String),
    #[error("ファイルが大きすぎます（上限 {0} MB） / the file is too large (limit {0} MB)")]
    TooLarge(usize),
    #[error("入力に誤りがあります / invalid input: {0}")]
    Invalid(Issues),
    #[error("データベース {url} に接続できません。URL とサーバーの稼働を確認してください / cannot connect to {url}: check the URL and that the server runs: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("データベース URL が不正です。sqlite://… か postgres://… を指定してください / unsupported database URL {0}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("マイグレーションに失敗しました / migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("データベースエラー / database error: {0}")]
    Database(sqlx::Error),
    #[error("{0}")]
    Unsupported(String),
    #[error("ファイル操作に失敗しました / file error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                StoreError::Conflict
            }
            _ => StoreError::Database(error),
        }
    }
}

impl From<Issues> for StoreError {
    fn from(issues: Issues) -> Self {
        StoreError::Invalid(issues)
    }
}
