//! `mimamori`: the server and the command line in one binary.

mod accounts;
mod allocator;
mod checklist;
mod cli;
mod commands;
mod config;
mod demo;
mod demo_accounts;
mod demo_checklist;
mod demo_ledger;
mod demo_preparedness;
mod generate;
mod ledger;
mod vulnerabilities;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("MIMAMORI_LOG")
        // sqlx reports slow statements with their whole text (bulk INSERTs run to megabytes).
        .unwrap_or_else(|_| "info,sqlx=warn,sqlx::query=error".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // One JSON object a line for a log collector (`MIMAMORI_LOG_FORMAT=json`); text otherwise.
    if std::env::var("MIMAMORI_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
    allocator::use_options(matches!(args.command, cli::Command::Serve { .. }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!(
                "エラー: 実行環境を初期化できません / error: cannot start the runtime: {error}"
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("エラー / error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
