//! `mimamori catalog list|import`, `mimamori findings` and `mimamori export checklist`: the same
//! catalogue, rules and output as the web pages.

use std::process::ExitCode;

use anyhow::Context;
use mimamori_domain::checklist::{Form, TextStatus};
use mimamori_domain::i18n::Lang;
use mimamori_domain::validation::search_key;
use mimamori_formats::catalog::parse_edition;
use mimamori_store::checklist::AssessmentKey;
use mimamori_store::Store;
use mimamori_web::checklist::{api::finding_dto, load_view, output::export_xlsx};

use crate::cli::{CatalogCommand, ChecklistExportArgs, Format};
use crate::commands::cli_actor;
use crate::ledger::facility;

pub async fn catalog(store: &Store, command: CatalogCommand) -> anyhow::Result<ExitCode> {
    match command {
        CatalogCommand::List { format } => {
            let editions = store.editions().await?;
            match format {
                Format::Json => {
                    let list: Vec<_> = editions
                        .iter()
                        .map(|e| {
                            serde_json::json!({
                                "id": e.id, "fiscal_year": e.edition.fiscal_year, "form": e.edition.form.code(),
                                "edition": e.edition.edition, "origin": e.edition.origin, "items": e.edition.items.len(),
                                "unverified": e.edition.items.iter().filter(|i| i.text_status == TextStatus::Unverified).count(),
                            })
                        })
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&list)?);
                }
                Format::Table => {
                    println!("年度 FY\t様式 form\t版 edition\t項目 items\t文言未確認 unverified\t出所 origin");
                    for e in &editions {
                        let unverified = e
                            .edition
                            .items
                            .iter()
                            .filter(|i| i.text_status == TextStatus::Unverified)
                            .count();
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            e.edition.fiscal_year,
                            e.edition.form.label(Lang::Ja),
                            e.edition.edition,
                            e.edition.items.len(),
                            unverified,
                            e.edition.origin.label(Lang::Ja)
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("{} を読めません（UTF-8 の YAML にしてください）/ cannot read {} (UTF-8 YAML expected)", file.display(), file.display()))?;
            let mut edition = parse_edition(&text)?;
            if edition.origin == mimamori_domain::checklist::Origin::Official {
                // Only the editions shipped in the binary are official; an imported file is marked as such.
                edition.origin = mimamori_domain::checklist::Origin::Imported;
            }
            let mut tx = store.write(&cli_actor()).await?;
            tx.save_edition(&edition).await?;
            tx.commit().await?;
            println!(
                "取り込みました / imported: {} {} {}（{} 項目 / items）",
                edition.fiscal_year,
                edition.form.label(Lang::Ja),
                edition.edition,
                edition.items.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub async fn findings(store: &Store, code: &str, format: Format) -> anyhow::Result<ExitCode> {
    let facility = facility(store, code).await?;
    let today = store.clock().today_jst();
    let evaluated = store.facility_findings(facility.id, today).await?;
    let findings = &evaluated.findings;
    match format {
        Format::Json => {
            let list: Vec<_> = findings.iter().map(|f| finding_dto(code, f)).collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        Format::Table => {
            if findings.is_empty() {
                println!("指摘事項はありません / no findings");
            }
            for f in findings {
                println!(
                    "[{}] {} / {}",
                    f.severity.label(Lang::Ja),
                    f.title_ja,
                    f.title_en
                );
                println!("    {}", f.detail_ja);
                let labels: Vec<&str> = f
                    .records
                    .iter()
                    .take(10)
                    .map(|r| r.label.as_str())
                    .collect();
                if !labels.is_empty() {
                    let more = f.records.len().saturating_sub(labels.len());
                    let more = if more > 0 {
                        format!(" …ほか {more} 件 / and {more} more")
                    } else {
                        String::new()
                    };
                    println!("    対象 / records: {}{more}", labels.join(", "));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn export(store: &Store, args: ChecklistExportArgs) -> anyhow::Result<ExitCode> {
    let facility = facility(store, &args.facility).await?;
    let form = Form::parse(&args.form).ok_or_else(|| anyhow::anyhow!("--form は facility | pharmacy | vendor です / --form must be facility, pharmacy or vendor"))?;
    let (vendor, system) = if form == Form::Vendor {
        let vendor = args.vendor.clone().ok_or_else(|| {
            anyhow::anyhow!("事業者確認用には --vendor が必要です / a vendor form needs --vendor")
        })?;
        let forms: Vec<_> = store
            .assessments(facility.id, Some(args.fiscal_year))
            .await?
            .into_iter()
            .filter(|a| a.form == Form::Vendor && search_key(&a.vendor) == search_key(&vendor))
            .filter(|a| {
                args.system
                    .as_deref()
                    .is_none_or(|s| search_key(s) == search_key(&a.system))
            })
            .collect();
        match forms.as_slice() {
            [one] => (one.vendor.clone(), one.system.clone()),
            [] => anyhow::bail!("{} 年度の {vendor} の事業者確認用がありません / no vendor form of {vendor} for FY{}", args.fiscal_year, args.fiscal_year),
            _ => anyhow::bail!("{vendor} の事業者確認用が複数あります。--system で選んでください / several vendor forms of {vendor}: choose one with --system"),
        }
    } else {
        (String::new(), String::new())
    };
    let key = AssessmentKey {
        facility_id: facility.id,
        fiscal_year: args.fiscal_year,
        form,
        vendor,
        system,
    };
    let assessment = store.find_assessment(&key).await?.ok_or_else(|| {
        anyhow::anyhow!(
            "{} 年度の {} の回答がありません / no {} answers for FY{}",
            args.fiscal_year,
            form.label(Lang::Ja),
            form.code(),
            args.fiscal_year
        )
    })?;
    let view = load_view(store, assessment, None, None)
        .await
        .map_err(|e| anyhow::anyhow!("{} / {}", e.body.message_ja, e.body.message_en))?;
    let (bytes, _) = export_xlsx(store, &cli_actor(), &facility, &view)
        .await
        .map_err(|e| anyhow::anyhow!("{} / {}", e.body.message_ja, e.body.message_en))?;
    std::fs::write(&args.out, &bytes).with_context(|| {
        format!(
            "{} に書き込めません / cannot write {}",
            args.out.display(),
            args.out.display()
        )
    })?;
    println!(
        "{} 項目を出力しました / wrote {} items: {}",
        view.items.len(),
        view.items.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
