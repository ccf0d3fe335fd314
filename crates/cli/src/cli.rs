//! The command-line contract. Later features and operators script against these names.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mimamori",
    version,
    about = "見守り Mimamori — 医療機関のサイバーセキュリティ対策 / cybersecurity duties of Japanese medical institutions"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// データディレクトリ / data directory (SQLite file, configuration)
    #[arg(
        long,
        global = true,
        env = "MIMAMORI_DATA_DIR",
        default_value = "./mimamori-data"
    )]
    pub data_dir: PathBuf,
    /// データベース URL（既定: データディレクトリ内の SQLite）/ database URL (default: SQLite in the data directory)
    #[arg(long, global = true, env = "MIMAMORI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// 設定ファイル（既定: DATA_DIR/mimamori.toml があれば）/ configuration file (default: DATA_DIR/mimamori.toml if present)
    #[arg(long, global = true, env = "MIMAMORI_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Web サーバーを起動 / run the web server
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", env = "MIMAMORI_LISTEN")]
        listen: String,
        /// デモ病院のデータを読み込む / load the demo hospital
        #[arg(long)]
        demo: bool,
    },
    /// 管理操作 / administration
    #[command(subcommand)]
    Admin(AdminCommand),
    /// 施設 / facilities
    #[command(subcommand)]
    Facility(FacilityCommand),
    /// 監査ログ / audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 台帳の取り込み（XLSX / CSV: UTF-8・CP932）/ import a ledger file
    Import {
        #[command(subcommand)]
        ledger: ImportCommand,
    },
    /// 台帳の出力 / export a ledger
    Export {
        #[command(subcommand)]
        ledger: ExportCommand,
    },
    /// チェックリストの版（カタログ）/ checklist catalogue editions
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// 脆弱性・サポート終了のフィード（endoflife.date・NVD・KEV・EPSS・JVN）/ vulnerability and end-of-life feeds
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// 施設の危険な機器（サポート終了・既知の脆弱性）、または --cve・--runs で全施設を横断検索 / a facility's devices past end of support or with known vulnerabilities; with --cve or --runs, a search across every facility
    Vulnerabilities {
        /// 施設コード / facility code
        #[arg(long, required_unless_present_any = ["cve", "runs"])]
        facility: Option<String>,
        /// この CVE が該当する機器を全施設から探す / find the devices of every facility this CVE bears on
        #[arg(long, value_name = "CVE-YYYY-NNNN")]
        cve: Option<String>,
        /// この製品・版で稼働する機器を全施設から探す（例: "FortiOS 7.0"）/ find the devices running this product line (e.g. "FortiOS 7.0")
        #[arg(long, value_name = "PRODUCT")]
        runs: Option<String>,
        /// この日で判定（既定: 今日）/ judge end of support on this day (default today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// 施設の指摘事項（台帳・任命・回答から）/ a facility's findings
    Findings {
        /// 施設コード / facility code
        #[arg(long)]
        facility: String,
        /// 表示形式：表（既定）か JSON / output: a table (default) or JSON
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// 検証・ベンチマーク用の現実的なデータを生成（同じ seed なら同じデータ）/ generate realistic, deterministic data
    Generate {
        /// 施設数（病院・診療所・薬局・助産所を全国の比率で）/ facilities, in Japan's proportions
        #[arg(long)]
        facilities: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 200床の病院の機器数（病床数に比例）/ devices of a 200-bed hospital (scaled by beds)
        #[arg(long, default_value_t = 500)]
        devices_per_hospital: usize,
        /// 取り込み用ファイルの出力先（devices-cp932.csv）/ write import files here
        #[arg(long)]
        csv_out: Option<PathBuf>,
        /// CSV 台帳の機器数（既定: --devices-per-hospital）/ devices in the CSV ledger
        #[arg(long)]
        csv_devices: Option<usize>,
    },
    /// SQLite データベースのオンラインバックアップ / consistent online copy of the SQLite database
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// 利用者を作成（パスワードは標準入力から）/ create a user (password read from stdin)
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// administrator | security_officer | editor | viewer | vendor | inspector
        #[arg(long)]
        role: String,
        /// 施設コード（省略時は組織全体の権限）/ facility code (omit for an organisation-wide role)
        #[arg(long)]
        facility: Option<String>,
        /// 立入検査員などの有効期限 / expiry date (required for inspectors)
        #[arg(long)]
        expires_on: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// 利用者のパスワードを再設定（標準入力から）し、その利用者のすべてのセッションと API トークンを無効にする / reset a user's password (read from stdin) and end every session and API token of theirs
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FacilityCommand {
    /// 施設を登録 / create a facility
    Create {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// hospital | clinic | midwifery_home | pharmacy
        #[arg(long)]
        kind: String,
        #[arg(long)]
        beds: Option<String>,
        /// 医療機関コード（10桁）/ medical institution code (10 digits)
        #[arg(long)]
        institution_code: Option<String>,
        #[arg(long)]
        prefecture: Option<String>,
        #[arg(long)]
        address: Option<String>,
    },
    /// 施設の一覧 / list facilities
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[value(alias = "text")]
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// ハッシュチェーンを検証（改ざんがあれば終了コード 1）/ verify the hash chain (exit 1 when broken)
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// 機器台帳 / device ledger
    Devices(ImportArgs),
    /// 事業者 / vendors
    Vendors(ImportArgs),
    /// 医療情報システム / information systems
    Systems(ImportArgs),
    /// クラウドサービス / cloud services
    CloudServices(ImportArgs),
    /// リモートメンテナンス / remote-maintenance connections
    RemoteMaintenance(ImportArgs),
    /// 職員名簿（人事データ）/ staff roster (HR export)
    Staff(ImportArgs),
    /// システムの利用者一覧（ID台帳）/ a system's user export (account ledger)
    Accounts(AccountImportArgs),
    /// 当日の取り込みを取り消す（台帳・名簿）/ undo an import written today (ledgers and registers)
    Undo(UndoArgs),
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// 取り込み番号（取り込みの結果に表示）/ the import's number, as its result shows it
    pub import: i64,
    /// 施設コード / facility code
    #[arg(long)]
    pub facility: String,
}

#[derive(Debug, Args)]
pub struct AccountImportArgs {
    #[command(flatten)]
    pub common: ImportArgs,
    /// 医療情報システム台帳のシステム名 / the system's name in the systems register
    #[arg(long)]
    pub system: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// XLSX または CSV / XLSX or CSV file
    pub file: PathBuf,
    /// 施設コード / facility code
    #[arg(long)]
    pub facility: String,
    /// 書き込まずに結果だけ表示 / show what would change, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// エラーの行を除いて書き込む / write the valid rows, list the rest
    #[arg(long)]
    pub skip_invalid: bool,
    /// 有効な記録の20%以上（3件以上）を停止・削除する取り込みも書き込む / write even when the import stops or removes more than 20 % of the active records
    #[arg(long)]
    pub allow_mass_removal: bool,
    /// 列の対応付け（JSON: {"management_no": "資産No", …}）。書き込むと記憶（アカウントはシステムごと、台帳は同じ列のファイルごと）/ column mapping (JSON: field key → the file's column title), remembered once written (per system for accounts, per file shape for ledgers)
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// シート名（XLSX）/ sheet name (XLSX)
    #[arg(long)]
    pub sheet: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// 機器台帳 / device ledger
    Devices(ExportArgs),
    /// 事業者 / vendors
    Vendors(ExportArgs),
    /// 医療情報システム / information systems
    Systems(ExportArgs),
    /// クラウドサービス / cloud services
    CloudServices(ExportArgs),
    /// リモートメンテナンス / remote-maintenance connections
    RemoteMaintenance(ExportArgs),
    /// チェックリスト（様式の XLSX）/ a checklist form as XLSX in the official layout
    Checklist(ChecklistExportArgs),
    /// 職員名簿 / staff roster
    Staff(ExportArgs),
    /// ID台帳（全システム、または --system）/ account ledger (all systems, or --system)
    Accounts(AccountExportArgs),
}

#[derive(Debug, Args)]
pub struct AccountExportArgs {
    #[command(flatten)]
    pub common: ExportArgs,
    #[arg(long)]
    pub system: Option<String>,
}

#[derive(Debug, Args)]
pub struct ChecklistExportArgs {
    /// 施設コード / facility code
    #[arg(long)]
    pub facility: String,
    /// 年度（西暦、4月始まり）/ fiscal year (April–March), e.g. 2026
    #[arg(long)]
    pub fiscal_year: i32,
    /// facility | pharmacy | vendor
    #[arg(long, default_value = "facility")]
    pub form: String,
    /// 事業者確認用の事業者名 / the vendor, for vendor forms
    #[arg(long)]
    pub vendor: Option<String>,
    /// 事業者確認用のシステム名（事業者のシステムが1つなら省略可）/ the system, if the vendor has several
    #[arg(long)]
    pub system: Option<String>,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// 版の一覧 / list editions
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// 版のファイル（YAML、docs/catalog.md）を取り込む / import an edition file (YAML, docs/catalog.md)
    Import { file: PathBuf },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// 施設コード / facility code
    #[arg(long)]
    pub facility: String,
    /// xlsx | csv
    #[arg(long, default_value = "xlsx")]
    pub format: String,
    /// utf-8（BOM付き）| cp932
    #[arg(long, default_value = "utf-8")]
    pub encoding: String,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// フィードのファイル・フォルダを取り込む（種類は内容から判別）/ import feed files or folders (kind told from content)
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// 各フィードの件数・最新日・経過日数 / each feed's records, newest date and age
    Status {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}
