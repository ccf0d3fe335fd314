//! Configuration: defaults, then a TOML file, then `MIMAMORI_*` environment variables, then
//! command-line flags. Nested keys use a double underscore: MIMAMORI_WEB__SECURE_COOKIES=true.

use std::path::Path;

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use mimamori_web::WebConfig;
use serde::{Deserialize, Serialize};

use crate::cli::Global;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub web: WebConfig,
}

pub struct Settings {
    pub config: Config,
    pub database_url: String,
}

impl Settings {
    pub fn load(global: &Global) -> anyhow::Result<Settings> {
        let file = global
            .config
            .clone()
            .unwrap_or_else(|| global.data_dir.join("mimamori.toml"));
        if global.config.is_some() && !file.exists() {
            anyhow::bail!(
                "設定ファイル {} が見つかりません。パスを確認してください / configuration file {} not found: check the path",
                file.display(),
                file.display()
            );
        }
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("MIMAMORI_").split("__"))
            .extract()
            .with_context(|| {
                format!(
                    "設定を読み込めません / cannot read the configuration ({})",
                    file.display()
                )
            })?;
        let database_url = match &global.database_url {
            Some(url) => url.clone(),
            None => sqlite_url(&global.data_dir)?,
        };
        Ok(Settings {
            config,
            database_url,
        })
    }
}

/// The embedded default: `mimamori.db` in the data directory, created (owner-only) if missing.
fn sqlite_url(data_dir: &Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(data_dir).with_context(|| {
        format!(
            "データディレクトリ {} を作成できません。書き込み権限を確認するか --data-dir で別の場所を指定してください / cannot create data directory {}",
            data_dir.display(),
            data_dir.display()
        )
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(format!(
        "sqlite://{}",
        data_dir.join("mimamori.db").display()
    ))
}

/// The operating-system user running a command, recorded as the actor of CLI changes.
pub fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}
