//! Importing a device ledger file, shared by the web upload, the API and the CLI:
//! read → validate every row → apply in one transaction (kept only when asked and valid).

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use mimamori_formats::devices::parse_devices;
use mimamori_formats::read_tables;
use mimamori_store::{Actor, Store};

use crate::auth::{FacilityCtx, SignedIn};
use crate::error::AppResult;
use crate::transfer::{finish, unreadable, uploaded_file, ImportPage};
pub use crate::transfer::{ImportOptions, ImportReport};
use crate::view::{render, PageCtx};
use crate::AppState;

/// Reads, validates and (unless told otherwise or invalid) writes, all in one transaction.
pub async fn run(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    options: ImportOptions,
) -> Result<ImportReport, mimamori_store::StoreError> {
    let sheets = match read_tables(bytes, file_name, sheet) {
        Ok(sheets) => sheets,
        Err(error) => return Ok(unreadable(file_name, sheet, &error)),
    };
    let parsed = parse_devices(&sheets);
    let devices: Vec<_> = parsed.devices.iter().map(|p| p.device.clone()).collect();
    let mut tx = store.write(actor).await?;
    let counts = tx.import_devices(facility_id, &devices).await?;
    finish(
        tx,
        facility_id,
        "devices",
        file_name,
        devices.len(),
        counts,
        parsed.problems,
        options,
    )
    .await
}

const HINT_JA: &str = "Excel（.xlsx）または CSV（UTF-8／Shift_JIS）。厚生労働省の機器台帳の例と同じ列見出し（管理番号、メーカー、OS、ソフトウェア、ソフトウェアバージョン、IPアドレス、コンピュータ名、設置場所、利用者、登録日、状態、説明）や英語の見出しを認識します。同じ管理番号の行はソフトウェアの追加として扱います。保存の前に確認画面が出ます。";
const HINT_EN: &str = "Excel (.xlsx) or CSV (UTF-8 or Shift_JIS) with the MHLW example's headers or English ones. Rows repeating a management number add software. You see a preview before anything is saved.";

fn page(
    ctx: PageCtx,
    fctx: &FacilityCtx,
    report: Option<ImportReport>,
    pending: Option<i64>,
    done: bool,
) -> ImportPage {
    let f = &fctx.facility.profile;
    ImportPage {
        base: format!("/facilities/{}/devices", f.code),
        title: ctx
            .t("機器台帳の取り込み", "Import the device ledger")
            .to_string(),
        facility_name: f.name.clone(),
        hint: ctx.t(HINT_JA, HINT_EN).to_string(),
        ctx,
        report,
        pending,
        done,
    }
}

pub async fn form(ctx: PageCtx, Extension(fctx): Extension<FacilityCtx>) -> Response {
    render(&page(ctx, &fctx, None, None, false))
}

/// Upload → dry run → preview; the file waits for confirmation.
pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (file_name, bytes) = uploaded_file(&mut multipart).await?;
    let options = ImportOptions {
        dry_run: true,
        skip_invalid: false,
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &file_name,
        &bytes,
        None,
        options,
    )
    .await?;
    let pending = if report.records_in_file > 0 {
        Some(
            state
                .store
                .save_pending_import(
                    fctx.facility.id,
                    principal.user.id,
                    "devices",
                    &file_name,
                    &bytes,
                )
                .await?,
        )
    } else {
        None
    };
    Ok(render(&page(ctx, &fctx, Some(report), pending, false)))
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub skip_invalid: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, id)): Path<(String, i64)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> AppResult<Response> {
    let pending = state
        .store
        .pending_import(id, fctx.facility.id, principal.user.id, "devices")
        .await?;
    let options = ImportOptions {
        dry_run: false,
        skip_invalid: form.skip_invalid == "yes",
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        &pending.file_name,
        &pending.content,
        None,
        options,
    )
    .await?;
    if report.written {
        state.store.delete_pending_import(id).await?;
    }
    if report.written && report.errors == 0 && report.warnings == 0 {
        return Ok(Redirect::to(&format!(
            "/facilities/{}/devices",
            fctx.facility.profile.code
        ))
        .into_response());
    }
    Ok(render(&page(ctx, &fctx, Some(report), None, true)))
}
