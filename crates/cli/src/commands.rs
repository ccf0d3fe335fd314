//! Each subcommand, as a function from parsed arguments to an exit code.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use mimamori_domain::access::Role;
use mimamori_domain::clock::SystemClock;
use mimamori_domain::facility::FacilityInput;
use mimamori_domain::governance::optional_date;
use mimamori_domain::i18n::Lang;
use mimamori_domain::validation::Issues;
use mimamori_store::audit::Verification;
use mimamori_store::{Actor, Store};
use mimamori_web::{auth, AppState};

use crate::cli::{AdminCommand, AuditCommand, Cli, Command, FacilityCommand, Format};
use crate::config::Settings;
use crate::demo;

pub async fn run(args: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(&args.global)?;
    let store = Store::connect(&settings.database_url, Arc::new(SystemClock)).await?;
    // The checklist editions shipped in this binary (new ones added, official ones refreshed).
    store
        .sync_builtin_editions(&mimamori_formats::catalog::builtin_editions()?)
        .await?;
    let result = match args.command {
        Command::Serve { listen, demo } => serve(&store, settings, &listen, demo).await,
        Command::Generate {
            facilities,
            seed,
            devices_per_hospital,
            csv_out,
            csv_devices,
        } => {
            let options = crate::generate::Options {
                facilities,
                seed,
                devices_per_hospital,
                csv_out,
                csv_devices,
            };
            let report = crate::generate::run(&store, &options).await?;
            println!(
                "生成しました / generated: {} 施設 / facilities, {} 台 / devices, {} 件の台帳記録 / register records, {} アカウント / accounts — 書き込み / writing {:.1} s, 集計 / summaries {:.1} s",
                report.facilities, report.devices, report.records, report.accounts, report.seconds_writing, report.seconds_summaries
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::CreateUser {
            email,
            name,
            role,
            facility,
            expires_on,
            password_stdin: _,
        }) => {
            create_user(
                &store,
                &settings,
                &email,
                &name,
                &role,
                facility.as_deref(),
                expires_on.as_deref(),
            )
            .await
        }
        Command::Admin(AdminCommand::ResetPassword {
            email,
            password_stdin: _,
        }) => reset_password(&store, &settings, &email).await,
        Command::Facility(FacilityCommand::Create {
            code,
            name,
            kind,
            beds,
            institution_code,
            prefecture,
            address,
        }) => {
            let input = FacilityInput {
                code,
                name,
                kind,
                beds: beds.unwrap_or_default(),
                institution_code: institution_code.unwrap_or_default(),
                prefecture: prefecture.unwrap_or_default(),
                address: address.unwrap_or_default(),
            };
            create_facility(&store, input).await
        }
        Command::Facility(FacilityCommand::List { format }) => {
            list_facilities(&store, format).await
        }
        Command::Audit(AuditCommand::Verify) => verify_audit(&store).await,
        Command::Import { ledger } => crate::ledger::import(&store, ledger).await,
        Command::Export { ledger } => crate::ledger::export(&store, ledger).await,
        Command::Catalog(command) => crate::checklist::catalog(&store, command).await,
        Command::Feeds(command) => crate::vulnerabilities::feeds_command(&store, command).await,
        Command::Vulnerabilities {
            facility,
            cve,
            runs,
            as_of,
            format,
        } => match (facility, cve.is_some() || runs.is_some()) {
            (facility, true) => {
                let query = mimamori_app::vulnerabilities::search::SearchQuery { cve, runs };
                crate::vulnerabilities::search(&store, facility.as_deref(), &query, format).await
            }
            (Some(facility), false) => {
                crate::vulnerabilities::vulnerabilities(&store, &facility, as_of, format).await
            }
            (None, false) => anyhow::bail!(
                "--facility か --cve・--runs を指定してください / give --facility, or --cve or --runs"
            ),
        },
        Command::Findings { facility, format } => {
            crate::checklist::findings(&store, &facility, format).await
        }
        Command::Backup { out } => {
            let bytes = store.backup_to(&out).await?;
            println!(
                "バックアップを作成しました / backup written: {} ({bytes} bytes)",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    store.close().await;
    result
}

pub fn cli_actor() -> Actor {
    Actor::system(format!("cli:{}", crate::config::os_user()))
}

/// Prints every validation problem in Japanese and English.
fn invalid(issues: &Issues) -> anyhow::Error {
    let lines: Vec<String> = issues
        .0
        .iter()
        .map(|i| {
            format!(
                "  --{}: {} / {}",
                i.field.replace('_', "-"),
                i.message(Lang::Ja),
                i.message(Lang::En)
            )
        })
        .collect();
    anyhow::anyhow!(
        "入力に誤りがあります。次の項目を直してください / invalid input, fix these:\n{}",
        lines.join("\n")
    )
}

async fn serve(
    store: &Store,
    settings: Settings,
    listen: &str,
    load_demo: bool,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| {
        format!("{listen} で待ち受けできません。別のプログラムが使用中でないか確認し、--listen で別のアドレスを指定してください / cannot listen on {listen}: is it in use? choose another with --listen")
    })?;
    let address = listener.local_addr()?;
    if load_demo {
        let credentials = demo::load(store).await?;
        println!("デモデータを読み込みました / demo data loaded. サインイン / sign in:");
        for (role, email, password) in credentials {
            println!("  {role:<18} {email}  {password}");
        }
    }
    if let Some(token) = auth::setup::prepare(store).await? {
        println!("初期設定はこちら / set up Mimamori at: http://{address}/setup?token={token}");
    }
    println!("Mimamori listening on http://{address}");
    std::io::stdout().flush()?;
    let state = AppState::new(store.clone(), settings.config.web);
    mimamori_web::serve(listener, state, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// The password a command reads from its first line of standard input.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("標準入力からパスワードを読めません / cannot read the password from stdin")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

/// An administrator's reset: the new password, and every session and token of the user ended
/// (whoever held them is out), in one audited transaction.
async fn reset_password(
    store: &Store,
    settings: &Settings,
    email: &str,
) -> anyhow::Result<ExitCode> {
    let password = password_from_stdin()?;
    let mut issues = Issues::default();
    let email = auth::setup::normalise_email(&mut issues, email);
    let user = store
        .user_by_email(&email)
        .await
        .map_err(|_| anyhow::anyhow!("{email} は登録されていません / {email} is not a user"))?;
    let second_factor = user.totp_enabled || settings.config.web.require_second_factor;
    if let Err(found) = settings
        .config
        .web
        .password
        .check(&password, &email, second_factor)
    {
        issues.0.extend(found.0);
    }
    if !issues.is_empty() {
        return Err(invalid(&issues));
    }
    let hash = auth::password::hash(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = store.write(&cli_actor()).await?;
    tx.set_password(user.id, &hash).await?;
    let (sessions, tokens) = tx
        .end_access(
            user.id,
            None,
            mimamori_store::users::AccessEnd::PasswordReset,
        )
        .await?;
    tx.commit().await?;
    println!("パスワードを再設定しました。終了したセッション {sessions} 件、無効にした API トークン {tokens} 件 / password reset: {sessions} sessions ended, {tokens} API tokens revoked");
    Ok(ExitCode::SUCCESS)
}

async fn create_user(
    store: &Store,
    settings: &Settings,
    email: &str,
    name: &str,
    role: &str,
    facility: Option<&str>,
    expires_on: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let password = password_from_stdin()?;
    let mut issues = Issues::default();
    let email = auth::setup::normalise_email(&mut issues, email);
    let role_value = Role::parse(role);
    if role_value.is_none() {
        issues.push(mimamori_domain::Issue::new("role", "invalid_role"));
    }
    let expires = expires_on.and_then(|text| optional_date(&mut issues, "expires_on", text));
    if role_value == Some(Role::Inspector) && expires.is_none() {
        issues.push(mimamori_domain::Issue::new(
            "expires_on",
            "inspector_needs_expiry",
        ));
    }
    if let Err(found) = settings.config.web.password.check(
        &password,
        &email,
        settings.config.web.require_second_factor,
    ) {
        issues.0.extend(found.0);
    }
    if name.trim().is_empty() {
        issues.push(mimamori_domain::Issue::new("name", "required"));
    }
    let Some(role) = role_value.filter(|_| issues.is_empty()) else {
        return Err(invalid(&issues));
    };
    let (organisation_id, facility_id) = match facility {
        Some(code) => {
            let facility = store.facility_by_code(code).await.map_err(|_| {
                anyhow::anyhow!("施設 {code} が見つかりません。mimamori facility list で確認してください / facility {code} not found: see mimamori facility list")
            })?;
            (facility.organisation_id, Some(facility.id))
        }
        None => match store.organisations().await?.as_slice() {
            [only] => (only.id, None),
            [] => bail!("組織がまだありません。先に mimamori facility create で施設を登録するか、Web の初期設定を行ってください / no organisation yet: create a facility first (mimamori facility create) or run the web setup"),
            _ => bail!("組織が複数あります。--facility で施設を指定してください / several organisations exist: give --facility"),
        },
    };
    let hash = auth::password::hash(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = store.write(&cli_actor()).await?;
    let user_id = tx
        .create_user(&email, name.trim(), &hash, Lang::Ja)
        .await
        .map_err(|e| match e {
            mimamori_store::StoreError::Conflict => {
                anyhow::anyhow!("{email} は既に登録されています / {email} is already registered")
            }
            other => other.into(),
        })?;
    let expires = expires.map(|d| d.to_string());
    tx.add_membership(
        user_id,
        organisation_id,
        facility_id,
        role,
        expires.as_deref(),
    )
    .await?;
    tx.commit().await?;
    println!(
        "利用者を作成しました / user created: {email} ({})",
        role.code()
    );
    Ok(ExitCode::SUCCESS)
}

async fn create_facility(store: &Store, input: FacilityInput) -> anyhow::Result<ExitCode> {
    let profile = input.validate().map_err(|issues| invalid(&issues))?;
    let facility = store.create_facility_in_default_organisation(&cli_actor(), &profile).await.map_err(|e| match e {
        mimamori_store::StoreError::Conflict => anyhow::anyhow!(
            "施設コード {} は既に使われています。別のコードを指定してください / facility code {} is taken: choose another",
            profile.code,
            profile.code
        ),
        other => other.into(),
    })?;
    println!(
        "施設を登録しました / facility created: {} {}",
        facility.profile.code, facility.profile.name
    );
    Ok(ExitCode::SUCCESS)
}

async fn list_facilities(store: &Store, format: Format) -> anyhow::Result<ExitCode> {
    let facilities = store.facilities(None).await?;
    match format {
        Format::Json => {
            let list: Vec<_> = facilities
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "id": f.id, "organisation_id": f.organisation_id, "code": f.profile.code, "name": f.profile.name,
                        "kind": f.profile.kind, "beds": f.profile.beds, "institution_code": f.profile.institution_code,
                        "prefecture": f.profile.prefecture, "address": f.profile.address, "updated_at": f.updated_at,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        Format::Table => {
            println!("コード/code\t種別/kind\t病床/beds\t医療機関コード\t都道府県\t名称/name");
            for f in &facilities {
                let p = &f.profile;
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    p.code,
                    p.kind.label(Lang::Ja),
                    p.beds.map(|b| b.to_string()).unwrap_or_default(),
                    p.institution_code.clone().unwrap_or_default(),
                    p.prefecture.clone().unwrap_or_default(),
                    p.name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn verify_audit(store: &Store) -> anyhow::Result<ExitCode> {
    match store.verify_audit().await? {
        Verification::Intact { entries } => {
            println!("監査ログは改ざんされていません（{entries}件）/ audit chain intact ({entries} entries)");
            Ok(ExitCode::SUCCESS)
        }
        Verification::Broken(broken) => {
            eprintln!("監査ログの改ざんを検出しました / audit chain broken: {broken}");
            eprintln!("データベースのバックアップと照合し、管理者に報告してください / compare with a backup and report to the administrator");
            Ok(ExitCode::FAILURE)
        }
    }
}
