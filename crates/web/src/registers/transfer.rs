//! Import and export of a register: the same flow as the device ledger's.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use mimamori_domain::ledger::register::RegisterSpec;
use mimamori_formats::read_tables;
use mimamori_formats::registers::{parse_records, record_table};
use mimamori_formats::write::{self, Encoding};
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, AuditRecord, Store};
use serde::Deserialize;

use super::spec;
use crate::auth::{FacilityCtx, SignedIn};
use crate::devices::export::{ExportFormat, Exported};
use crate::devices::import::ConfirmForm;
use crate::error::{AppError, AppResult};
use crate::transfer::{finish, unreadable, uploaded_file, ImportOptions, ImportPage, ImportReport};
use crate::view::{render, PageCtx};
use crate::AppState;

#[allow(clippy::too_many_arguments)]
pub async fn run(
    store: &Store,
    actor: &Actor,
    facility_id: i64,
    spec: &RegisterSpec,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    options: ImportOptions,
) -> Result<ImportReport, mimamori_store::StoreError> {
    let sheets = match read_tables(bytes, file_name, sheet) {
        Ok(sheets) => sheets,
        Err(error) => return Ok(unreadable(file_name, sheet, &error)),
    };
    let references = store.references(facility_id).await?;
    let parsed = parse_records(spec, &sheets, &references);
    let records: Vec<_> = parsed.records.iter().map(|(_, r)| r.clone()).collect();
    let mut tx = store.write(actor).await?;
    let counts = tx.import_records(facility_id, spec, &records).await?;
    finish(
        tx,
        facility_id,
        spec.entity,
        file_name,
        records.len(),
        counts,
        parsed.problems,
        options,
    )
    .await
}

pub async fn export(
    store: &Store,
    actor: &Actor,
    facility: &Facility,
    spec: &RegisterSpec,
    format: ExportFormat,
) -> Result<Exported, AppError> {
    let records: Vec<_> = store
        .all_records(facility.id, spec)
        .await?
        .into_iter()
        .map(|r| r.record)
        .collect();
    let today = store.clock().today_jst();
    let status = store.register_status(facility.id, spec.slug).await?;
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let preamble = vec![
        format!("{}台帳", spec.title_ja),
        format!("施設名：{}", facility.profile.name),
        format!(
            "最終更新日：{}　最終更新者：{}",
            dash(
                status
                    .last_updated_at
                    .map(|t| mimamori_domain::clock::display_jst(&t))
            ),
            dash(status.last_updated_by)
        ),
        format!(
            "最終確認：{}",
            dash(status.last_confirmed_at.map(|t| format!(
                "{} {}",
                mimamori_domain::clock::display_jst(&t),
                status.last_confirmed_by.clone().unwrap_or_default()
            )))
        ),
        format!("出力日：{today}"),
    ];
    let table = record_table(spec, preamble, &records);
    let stem = format!(
        "{}台帳_{}_{}",
        spec.title_ja,
        facility.profile.code,
        today.format("%Y%m%d")
    );
    let exported = match format {
        ExportFormat::Xlsx => Exported {
            bytes: write::xlsx(&table).map_err(AppError::internal)?,
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            file_name: format!("{stem}.xlsx"),
            rows: records.len(),
        },
        ExportFormat::Csv(encoding) => Exported {
            bytes: write::csv(&table, encoding).0,
            content_type: if encoding == Encoding::Cp932 {
                "text/csv; charset=Shift_JIS"
            } else {
                "text/csv; charset=utf-8"
            },
            file_name: format!("{stem}.csv"),
            rows: records.len(),
        },
    };
    let detail = serde_json::json!({"register": spec.slug, "rows": exported.rows});
    store
        .record_event(
            actor,
            AuditRecord::new("export", spec.entity)
                .facility(Some(facility.id))
                .after(&detail),
        )
        .await?;
    Ok(exported)
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    encoding: String,
}

pub async fn download(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let format = match (
        query.format.as_str(),
        Encoding::parse(if query.encoding.is_empty() {
            "utf-8"
        } else {
            &query.encoding
        }),
    ) {
        ("" | "xlsx", _) => ExportFormat::Xlsx,
        ("csv", Some(encoding)) => ExportFormat::Csv(encoding),
        _ => {
            return Err(AppError::bad_request(
                "形式は xlsx か csv、文字コードは utf-8 か cp932 です。",
                "Use format xlsx or csv and encoding utf-8 or cp932.",
            ))
        }
    };
    let exported = export(
        &state.store,
        &principal.actor(),
        &fctx.facility,
        spec,
        format,
    )
    .await?;
    let extension = if format == ExportFormat::Xlsx {
        "xlsx"
    } else {
        "csv"
    };
    let disposition = format!(
        "attachment; filename=\"{}.{extension}\"; filename*=UTF-8''{}",
        spec.slug,
        urlencoding::encode(&exported.file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, exported.content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        exported.bytes,
    )
        .into_response())
}

fn page(
    ctx: PageCtx,
    fctx: &FacilityCtx,
    spec: &RegisterSpec,
    report: Option<ImportReport>,
    pending: Option<i64>,
    done: bool,
) -> ImportPage {
    let titles: Vec<&str> = spec.fields.iter().map(|f| f.titles[0]).collect();
    ImportPage {
        base: format!(
            "/facilities/{}/registers/{}",
            fctx.facility.profile.code, spec.slug
        ),
        title: format!("{} — {}", spec.title(ctx.lang), ctx.t("取り込み", "import")),
        facility_name: fctx.facility.profile.name.clone(),
        hint: format!(
            "{}{}",
            ctx.t(
                "Excel（.xlsx）または CSV（UTF-8／Shift_JIS）。見出し: ",
                "Excel (.xlsx) or CSV (UTF-8 or Shift_JIS). Headers: "
            ),
            titles.join("、")
        ),
        ctx,
        report,
        pending,
        done,
    }
}

pub async fn form(
    ctx: PageCtx,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(render(&page(ctx, &fctx, spec(&slug)?, None, None, false)))
}

pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug)): Path<(String, String)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let (file_name, bytes) = uploaded_file(&mut multipart).await?;
    let options = ImportOptions {
        dry_run: true,
        skip_invalid: false,
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        spec,
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
                    spec.slug,
                    &file_name,
                    &bytes,
                )
                .await?,
        )
    } else {
        None
    };
    Ok(render(&page(
        ctx,
        &fctx,
        spec,
        Some(report),
        pending,
        false,
    )))
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    SignedIn(principal): SignedIn,
    Extension(fctx): Extension<FacilityCtx>,
    Path((_, slug, id)): Path<(String, String, i64)>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> AppResult<Response> {
    let spec = spec(&slug)?;
    let pending = state
        .store
        .pending_import(id, fctx.facility.id, principal.user.id, spec.slug)
        .await?;
    let options = ImportOptions {
        dry_run: false,
        skip_invalid: form.skip_invalid == "yes",
    };
    let report = run(
        &state.store,
        &principal.actor(),
        fctx.facility.id,
        spec,
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
            "/facilities/{}/registers/{}",
            fctx.facility.profile.code, spec.slug
        ))
        .into_response());
    }
    Ok(render(&page(ctx, &fctx, spec, Some(report), None, true)))
}
