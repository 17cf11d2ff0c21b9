//! The command line. Every command creates and migrates the database file when needed.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::app::{AppState, Limits};
use crate::domain::access::{Role, User};
use crate::domain::{Period, RegionId};
use crate::engine::cache::Answers;
use crate::error::AppError;
use crate::reports::Report;
use crate::startup::Application;
use crate::{charts, demo, engine, reports, store, transfer};

#[derive(Debug, Parser)]
#[command(name = "zhibiao", version, about = "指标: indicator tracking for a district science & technology bureau")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct DbArg {
    /// SQLite database file (created when missing)
    #[arg(long, env = "ZHIBIAO_DB", default_value = "zhibiao.db")]
    pub db: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    District,
    Province,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web service
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on
        #[arg(long, env = "ZHIBIAO_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load the demo data first when the database is empty, and print tokens to try it
        #[arg(long)]
        demo: bool,
        /// Directory of named chart definitions (*.toml), added to the built-in ones; a file replaces
        /// the built-in chart of its name
        #[arg(long, env = "ZHIBIAO_CHARTS")]
        charts: Option<PathBuf>,
        #[command(flatten)]
        font: FontArg,
        /// Mark the session and login cookies `Secure` (sent over HTTPS only): set it when the
        /// server runs behind a TLS proxy (README, "Security")
        #[arg(long, env = "ZHIBIAO_SECURE_COOKIES", value_parser = clap::builder::BoolishValueParser::new())]
        secure_cookies: bool,
    },
    /// Manage users
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the bureau's departments (科室), which officers act for
    Department {
        #[command(subcommand)]
        command: DepartmentCommand,
    },
    /// The enterprise register (企业库)
    Enterprise {
        #[command(subcommand)]
        command: EnterpriseCommand,
    },
    /// Rectification plans (整改方案)
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Load the demo data into an empty database
    Demo {
        #[command(flatten)]
        db: DbArg,
        /// `district`: the bureau's plan; `province`: 1,500 regions, 30 indicators and ten
        /// years of synthetic figures, for benchmarks (same seed, same database)
        #[arg(long, value_enum, default_value_t = Scale::District)]
        scale: Scale,
    },
    /// Draw a chart to an SVG or PNG file, e.g.
    /// `zhibiao render benchmarks region=district indicator=rd_share period=2023 -o rd.png`
    Render {
        #[command(flatten)]
        db: DbArg,
        /// target-vs-actual, trend, benchmarks, assessment or progress; or the name of a named
        /// chart (built in, or in --charts DIR), which takes no parameters
        kind: String,
        /// Parameters as key=value
        #[arg(value_parser = parse_param)]
        params: Vec<(String, String)>,
        /// Output file; .svg or .png
        #[arg(short, long)]
        output: PathBuf,
        /// Title instead of the generated one
        #[arg(long)]
        title: Option<String>,
        /// Directory of named chart definitions (*.toml), as for `serve`
        #[arg(long, env = "ZHIBIAO_CHARTS")]
        charts: Option<PathBuf>,
        #[command(flatten)]
        font: FontArg,
    },
    /// Import figures from a CSV, Excel template or DHIS2 JSON file: all rows or none
    ///
    /// The rules and permissions are those of PUT /values. CSV columns: region,indicator,period,value,comment
    /// or 地区,指标,时期,数值,备注 (UTF-8 with or without BOM, or GBK); regions by id or name, indicators by
    /// code or name. A World Bank WDI bulk CSV needs --indicator. .xlsx: the template of
    /// GET /templates/{region}/{YYYYQn}.xlsx filled in; .json: DHIS2 dataValueSets.
    Import {
        #[command(flatten)]
        db: DbArg,
        /// The file: .csv, .xlsx or .json
        file: PathBuf,
        /// Check and count only; nothing is stored
        #[arg(long)]
        dry_run: bool,
        /// Import as this existing user, with their permissions (default: an internal admin, "cli")
        #[arg(long = "as", value_name = "USER")]
        as_user: Option<String>,
        /// Why figures are corrected; kept in the audit log
        #[arg(long)]
        reason: Option<String>,
        /// For a World Bank WDI file: the indicator (code or name) its figures go into
        #[arg(long)]
        indicator: Option<String>,
    },
    /// Export stored figures, exactly as submitted, as CSV or DHIS2 dataValueSets JSON
    Export {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_enum)]
        format: transfer::ExportFormat,
        /// This region and every region below it (default: all)
        #[arg(long)]
        region: Option<String>,
        /// One indicator (default: all)
        #[arg(long)]
        indicator: Option<String>,
        /// From this period on: YYYY or YYYYQn
        #[arg(long, value_parser = parse_period)]
        from: Option<Period>,
        /// Up to this period: YYYY or YYYYQn
        #[arg(long, value_parser = parse_period)]
        to: Option<Period>,
        /// Output file (default: standard output)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write a report offline, e.g. `zhibiao report bulletin 2023Q3 --format xlsx -o out.xlsx`
    Report {
        #[command(flatten)]
        db: DbArg,
        #[arg(value_enum)]
        kind: ReportKind,
        /// YYYYQn or YYYY for the bulletin and completeness, YYYY for the assessment
        #[arg(value_parser = parse_period)]
        period: Period,
        /// html, xlsx or json
        #[arg(long, value_parser = parse_report_format)]
        format: reports::Format,
        /// The bulletin's region (default: the root of the tree); completeness: only below it
        #[arg(long, value_parser = parse_region)]
        region: Option<RegionId>,
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        font: FontArg,
    },
    /// Copy the database to OUT with SQLite's online backup; safe while the server runs
    ///
    /// To restore, stop the server and copy the backup back: `zhibiao backup --db BACKUP DB --force`
    /// (or copy the file over DB), then start the server again.
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The copy to write
        out: PathBuf,
        /// Replace OUT if it exists
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportKind {
    /// the quarterly (or annual) statistical bulletin
    Bulletin,
    /// the year-end assessment
    Assessment,
    /// who has not reported what
    Completeness,
    /// 整改工作进展情况通报, as of the quarter's progress report due date
    Rectification,
}

fn parse_report_format(text: &str) -> Result<reports::Format, String> {
    reports::Format::parse(text).ok_or_else(|| "应为 html、xlsx 或 json".to_string())
}

#[derive(Debug, clap::Args)]
pub struct FontArg {
    /// A TrueType/OpenType font for chart text instead of the embedded WenQuanYi Micro Hei
    #[arg(long, env = "ZHIBIAO_FONT")]
    pub font: Option<PathBuf>,
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| format!("'{text}' is not key=value"))
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user and print a new API token on the last line
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        name: String,
        /// admin, statistician, viewer or officer
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A region the statistician reports for (repeatable)
        #[arg(long = "region", value_parser = parse_region)]
        regions: Vec<RegionId>,
        /// A registered department the officer acts for (repeatable, or several separated by commas)
        #[arg(long = "department")]
        departments: Vec<String>,
        /// Also set a password for the web pages, read from standard input
        #[arg(long)]
        password: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DepartmentCommand {
    /// Register a department, e.g. `zhibiao department add 高新技术科`
    Add {
        #[command(flatten)]
        db: DbArg,
        name: String,
        /// Its place in the order (default: after those already registered)
        #[arg(long)]
        sort: Option<i64>,
    },
    /// List the registered departments in their order
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Import a plan from its text (——存在问题：, ——解决措施：, 责任领导：, 责任部门：, 责任人：, 完成时限：),
    /// UTF-8 or GBK: the plan, the departments it names that are new, its problems and tasks, all or nothing
    Import {
        #[command(flatten)]
        db: DbArg,
        /// The plan's text file
        file: PathBuf,
        /// The new plan's id (lowercase letters, digits and -)
        #[arg(long)]
        plan: String,
        /// Its title
        #[arg(long)]
        title: String,
        /// Its year
        #[arg(long)]
        year: i32,
        /// Read and count only; nothing is stored
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EnterpriseCommand {
    /// Import the list (code,name,region,year,scale,high_tech,sales_over_100m,major_project, or
    /// 统一社会信用代码,企业名称,地区,年度,规模以上,高新技术企业,销售超亿元,重大项目企业) or the figures
    /// (code,period,measure,value, or 统一社会信用代码,时期,指标,数值) from a .csv or .xlsx file: all rows or none
    Import {
        #[command(flatten)]
        db: DbArg,
        /// The file: .csv (UTF-8 or GBK) or .xlsx
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = engine::enterprise_imports::ImportKind::List)]
        kind: engine::enterprise_imports::ImportKind,
        /// Check and count only; nothing is stored
        #[arg(long)]
        dry_run: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "应为 admin、statistician、viewer 或 officer".to_string())
}

/// The departments of `--department`, given one by one or separated by commas (`,`, `，` or `、`).
fn department_names(given: &[String]) -> Vec<String> {
    given
        .iter()
        .flat_map(|d| d.split([',', '，', '、']))
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

fn parse_region(text: &str) -> Result<RegionId, String> {
    RegionId::parse(text).map_err(|e| e.to_string())
}

fn parse_period(text: &str) -> Result<Period, String> {
    text.parse().map_err(|e: crate::domain::period::PeriodError| e.to_string())
}

/// `zhibiao import`: reads the file, then checks and writes it in one transaction with a
/// progress bar on standard error. Any error (or a dry run) leaves the database as it was.
fn import(
    db: &std::path::Path,
    file: &std::path::Path,
    options: &engine::imports::Options<'_>,
    as_user: Option<&str>,
) -> anyhow::Result<()> {
    let dry_run = options.dry_run;
    let format = transfer::Format::from_path(file)
        .ok_or_else(|| anyhow::anyhow!("{}：文件名应以.csv、.xlsx或.json结尾", file.display()))?;
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let parsed = transfer::parse(format, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let total = parsed.rows.len() as u64;
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(if dry_run { "检查中" } else { "导入中" });
    let current = engine::current_quarter();
    let pool = store::open(db)?;
    let mut conn = pool.get()?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let user = match as_user {
        Some(name) => store::users::with_name(&tx, name)?
            .ok_or_else(|| anyhow::anyhow!("没有用户“{name}”；请先用`zhibiao user add`添加"))?,
        None => User { id: 0, name: "cli".into(), role: Role::Admin, regions: Vec::new(), departments: Vec::new() },
    };
    let outcome =
        engine::imports::import_with(&tx, &user, parsed, options, current, &mut |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    for w in &outcome.warnings {
        match w.row {
            0 => eprintln!("提示：{}", w.message),
            row => eprintln!("提示：第{row}行，{} {} {}：{}", w.region, w.period, w.indicator, w.message),
        }
    }
    for e in &outcome.errors {
        eprintln!("错误：{}", e.message);
    }
    let mut counts = format!("新增{}个，更新{}个，未变{}个", outcome.created, outcome.updated, outcome.unchanged);
    if outcome.skipped > 0 {
        counts.push_str(&format!("，跳过{}行（不是对标地区）", outcome.skipped));
    }
    if dry_run {
        println!("试导入{}：{counts}；没有保存任何数据。", file.display());
    } else if outcome.errors.is_empty() {
        tx.commit()?;
        println!("已导入{}：{counts}。", file.display());
    }
    if !outcome.errors.is_empty() {
        anyhow::bail!("{}：文件有{}处错误，没有导入任何数据", file.display(), outcome.error_count);
    }
    Ok(())
}

/// `zhibiao plan import`: reads the plan's text and stores it (unless a dry run) in one
/// transaction; prints what was read, or every line error (and then fails, storing nothing).
fn plan_import(
    db: &std::path::Path,
    file: &std::path::Path,
    plan: engine::plans::Plan,
    dry_run: bool,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let text = transfer::decode(&bytes).map_err(|e| match e {
        transfer::FileError::NotText { line } => {
            anyhow::anyhow!("{}：第{line}行既不是UTF-8也不是GBK（GB18030）编码的文字", file.display())
        }
        e => anyhow::anyhow!("{}: {e}", file.display()),
    })?;
    let user = User { id: 0, name: "cli".into(), role: Role::Admin, regions: Vec::new(), departments: Vec::new() };
    let read = match in_transaction(db, |conn| engine::plans::import(conn, &user, plan, &text, dry_run))? {
        engine::plans::ImportOutcome::Read(read) => read,
        engine::plans::ImportOutcome::Errors(errors) => {
            for e in &errors {
                eprintln!("错误：{}", e.message);
            }
            anyhow::bail!("{}：方案文本有{}处错误，没有导入任何内容", file.display(), errors.len());
        }
    };
    for p in &read.problems {
        println!("问题{}：{}（{}项措施）", p.seq, p.title, p.tasks.len());
    }
    let mut counts = format!("{}个问题，{}项整改任务", read.problems.len(), read.task_count);
    if !read.new_departments.is_empty() {
        counts.push_str(&format!("，新科室{}个（{}）", read.new_departments.len(), read.new_departments.join("、")));
    }
    if dry_run {
        println!("试导入{}：{counts}；没有保存任何内容。", file.display());
    } else {
        println!("已导入整改方案“{}”（{}）：{counts}。", read.plan.title, read.plan.id);
    }
    Ok(())
}

/// `zhibiao enterprise import`: as an internal admin ("cli"), in one transaction; prints the
/// counts, or every row error (and then fails, storing nothing).
fn enterprise_import(
    db: &std::path::Path,
    file: &std::path::Path,
    kind: engine::enterprise_imports::ImportKind,
    dry_run: bool,
) -> anyhow::Result<()> {
    let format = transfer::Format::from_path(file)
        .filter(|f| matches!(f, transfer::Format::Csv | transfer::Format::Xlsx))
        .ok_or_else(|| anyhow::anyhow!("{}：文件名应以.csv或.xlsx结尾", file.display()))?;
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let table = engine::enterprise_imports::read_table(format, &bytes)
        .map_err(|e| anyhow::anyhow!("{}：{e}", file.display()))?;
    let user = User { id: 0, name: "cli".into(), role: Role::Admin, regions: Vec::new(), departments: Vec::new() };
    let outcome = in_transaction(db, |conn| engine::enterprise_imports::import(conn, &user, kind, &table, dry_run))?;
    for e in &outcome.errors {
        eprintln!("错误：{}", e.message);
    }
    if outcome.error_count > 0 {
        anyhow::bail!("{}：{}", file.display(), outcome.error_message());
    }
    if dry_run {
        println!("试导入{}：{}；没有保存任何数据。", file.display(), outcome.counts());
    } else {
        println!("已导入{}：{}。", file.display(), outcome.counts());
    }
    Ok(())
}

/// Runs `f` in one write transaction on a fresh connection of the database.
fn in_transaction<T>(
    db: &std::path::Path,
    f: impl FnOnce(&rusqlite::Connection) -> Result<T, AppError>,
) -> anyhow::Result<T> {
    let pool = store::open(db)?;
    let mut conn = pool.get()?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// A user the demo creates, with their API token and web password (random, shown once).
struct DemoUser {
    name: &'static str,
    token: String,
    password: String,
}

/// Prints how to use the demo: a token for the API and a password for the pages, per user.
fn print_demo_users(db: &std::path::Path, users: &[DemoUser]) {
    println!("演示数据已载入 {}。", db.display());
    for u in users {
        println!("用户 {}：网页密码 {}  API令牌 {}", u.name, u.password, u.token);
    }
}

fn demo_user(
    conn: &rusqlite::Connection,
    name: &'static str,
    role: Role,
    regions: &[RegionId],
    departments: &[&str],
) -> Result<DemoUser, AppError> {
    let departments: Vec<String> = departments.iter().map(|d| d.to_string()).collect();
    let token = engine::users::add_with_departments(conn, "cli", name, role, regions, &departments)?;
    // twelve hex digits: short enough to type from the screen for a demo's users
    let password = engine::users::random_hex(6);
    engine::users::set_password(conn, "cli", name, &password)?;
    Ok(DemoUser { name, token, password })
}

/// Loads the demo if the database is empty; returns the users it created.
fn load_demo(db: &std::path::Path) -> anyhow::Result<Option<Vec<DemoUser>>> {
    in_transaction(db, |conn| {
        if !demo::is_empty(conn)? {
            return Ok(None);
        }
        demo::load(conn)?;
        let jia = [RegionId::parse("town-jia").expect("valid")];
        Ok(Some(vec![
            demo_user(conn, "admin", Role::Admin, &[], &[])?,
            demo_user(conn, "jia", Role::Statistician, &jia, &[])?,
            demo_user(conn, "leader", Role::Viewer, &[], &[])?,
            // the officer of 高新技术科 who filed that department's progress reports in the demo
            demo_user(conn, demo::OFFICER.0, Role::Officer, &[], &[demo::OFFICER.1])?,
        ]))
    })
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { db, addr, demo, charts: charts_dir, font, secure_cookies } => {
            serve(db, addr, demo, charts_dir, font, secure_cookies).await
        }
        // One run of a command keeps the engine's answers while it lasts, as the server does
        // between writes (a report asks for the regions and indicators many times).
        command => Arc::new(Answers::default()).lend(|| run_offline(command)),
    }
}

async fn serve(
    db: DbArg,
    addr: String,
    demo: bool,
    charts_dir: Option<PathBuf>,
    font: FontArg,
    secure_cookies: bool,
) -> anyhow::Result<()> {
    charts::fonts::init(font.font.as_deref())?;
    let (named, problems) = charts::named::load(charts_dir.as_deref());
    for problem in problems {
        tracing::warn!("命名图表未载入：{problem}");
    }
    if demo {
        match load_demo(&db.db)? {
            Some(users) => print_demo_users(&db.db, &users),
            None => println!("{} already has data; the demo was not loaded again.", db.db.display()),
        }
    }
    let pool = store::open(&db.db)?;
    let state = AppState::new(pool, named, Limits::default()).with_secure_cookies(secure_cookies);
    tokio::spawn(supervise(state.clone()));
    let app = Application::build(state, &addr).await?;
    let local = app.local_addr()?;
    println!("zhibiao listening on http://{local}");
    if demo {
        println!(
            "在浏览器打开 http://{local}/ 登录，或试试：curl -H \"Authorization: Bearer $TOKEN\" \"http://{local}/api/v1/series?region=district&indicator=rd_share&from=2023&to=2023&view=annual\""
        );
    }
    app.run_until_stopped().await?;
    Ok(())
}

/// How often `serve` runs the supervision (an order for every red task), the first time at start.
const SUPERVISION_EVERY: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Runs the supervision of the day at start and every [`SUPERVISION_EVERY`] while serving.
async fn supervise(state: AppState) {
    let system = User { id: 0, name: "system".into(), role: Role::Admin, regions: Vec::new(), departments: Vec::new() };
    let mut every = tokio::time::interval(SUPERVISION_EVERY);
    loop {
        every.tick().await;
        let user = system.clone();
        let today = engine::supervision::today();
        match state.write(move |conn| engine::supervision::run(conn, &user, today)).await {
            Ok(orders) => tracing::info!("督办巡检（{today}）：新下发督办单 {} 份", orders.len()),
            Err(e) => tracing::warn!("督办巡检（{today}）未完成：{e}"),
        }
    }
}

fn run_offline(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve { .. } => unreachable!("served by `run`"),
        Command::Demo { db, scale: Scale::Province } => {
            let started = std::time::Instant::now();
            let (figures, users) = in_transaction(&db.db, |conn| {
                if !demo::is_empty(conn)? {
                    return Err(AppError::Conflict("演示数据只能载入空数据库".into()));
                }
                let figures = demo::province::load(conn)?;
                Ok((figures, vec![demo_user(conn, "admin", Role::Admin, &[], &[])?]))
            })?;
            println!("已生成 {figures} 个数据，用时 {:.1} 秒。", started.elapsed().as_secs_f64());
            print_demo_users(&db.db, &users);
        }
        Command::Demo { db, scale: Scale::District } => match load_demo(&db.db)? {
            Some(users) => print_demo_users(&db.db, &users),
            None => anyhow::bail!("{} already has data; the demo loads only into an empty database", db.db.display()),
        },
        Command::Render { db, kind, params, output, title, charts: charts_dir, font } => {
            charts::fonts::init(font.font.as_deref())?;
            let format = output
                .extension()
                .and_then(|e| e.to_str())
                .and_then(charts::Format::from_extension)
                .ok_or_else(|| anyhow::anyhow!("输出文件名应以 .svg 或 .png 结尾"))?;
            let (spec, title) = match charts::Kind::parse(&kind) {
                Some(kind) => {
                    (charts::spec::parse(kind, &params.into_iter().collect()).map_err(AppError::Invalid)?, title)
                }
                None => {
                    let (named, problems) = charts::named::load(charts_dir.as_deref());
                    for problem in problems {
                        tracing::warn!("命名图表未载入：{problem}");
                    }
                    let chart = named.into_iter().find(|c| c.name == kind && c.spec.is_some()).ok_or_else(|| {
                        let kinds: Vec<&str> = charts::Kind::ALL.iter().map(|k| k.as_str()).collect();
                        anyhow::anyhow!("没有“{kind}”这种图：可用 {} 或命名图表的名称", kinds.join("、"))
                    })?;
                    anyhow::ensure!(params.is_empty(), "命名图表“{kind}”不带参数");
                    (chart.spec.expect("checked"), title.or(Some(chart.title)))
                }
            };
            let pool = store::open(&db.db)?;
            let conn = pool.get()?;
            let chart = engine::charts::chart(&conn, &spec, title.as_deref())?;
            std::fs::write(&output, charts::render(&chart, format)?)?;
            println!("已写入 {}。", output.display());
        }
        Command::Import { db, file, dry_run, as_user, reason, indicator } => {
            let options =
                engine::imports::Options { dry_run, reason: reason.as_deref(), indicator: indicator.as_deref() };
            import(&db.db, &file, &options, as_user.as_deref())?;
        }
        Command::Report { db, kind, period, format, region, output, font } => {
            charts::fonts::init(font.font.as_deref())?;
            let pool = store::open(&db.db)?;
            let conn = pool.get()?;
            let bytes = match kind {
                ReportKind::Bulletin => reports::bulletin::build(&conn, region.as_ref(), period)?.render(format)?,
                ReportKind::Completeness => {
                    reports::completeness::build(&conn, period, region.as_ref())?.render(format)?
                }
                ReportKind::Assessment => match period {
                    Period::Year(year) => reports::assessment::build(&conn, year)?.render(format)?,
                    Period::Quarter(_) => anyhow::bail!("年终考核报表的报告期应为年份：YYYY"),
                },
                ReportKind::Rectification => match period {
                    Period::Quarter(q) => {
                        reports::rectification::build(&conn, reports::rectification::as_of(q))?.render(format)?
                    }
                    Period::Year(_) => anyhow::bail!("整改工作进展情况通报的报告期应为季度：YYYYQn"),
                },
            };
            std::fs::write(&output, bytes)?;
            println!("已写入 {}。", output.display());
        }
        Command::Export { db, format, region, indicator, from, to, output } => {
            let pool = store::open(&db.db)?;
            let conn = pool.get()?;
            let rows = engine::exports::values(&conn, &engine::exports::Selection { region, indicator, from, to })?;
            let bytes = format.write(&rows)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, bytes)?;
                    eprintln!("已将 {} 个数据写入 {}。", rows.len(), path.display());
                }
                None => std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)?,
            }
        }
        Command::Backup { db, out, force } => {
            let summary = store::backup::backup(&db.db, &out, force).map_err(|e| match e {
                store::backup::BackupError::Exists(_) => anyhow::anyhow!("{e}；如要覆盖，请加 --force"),
                e => anyhow::anyhow!("备份 {} 失败：{e}", db.db.display()),
            })?;
            println!(
                "已将 {} 备份到 {}：{} 页，每页 {} 字节（共 {} 字节）；完整性检查通过。",
                db.db.display(),
                out.display(),
                summary.pages,
                summary.page_size,
                summary.bytes()
            );
        }
        Command::Department { command: DepartmentCommand::Add { db, name, sort } } => {
            let added = in_transaction(&db.db, |conn| engine::departments::add_as(conn, "cli", &name, sort))?;
            println!("已登记科室“{}”。", added.name);
        }
        Command::Department { command: DepartmentCommand::List { db } } => {
            let pool = store::open(&db.db)?;
            let conn = pool.get()?;
            for name in engine::departments::list(&conn)? {
                println!("{name}");
            }
        }
        Command::Enterprise { command: EnterpriseCommand::Import { db, file, kind, dry_run } } => {
            enterprise_import(&db.db, &file, kind, dry_run)?;
        }
        Command::Plan { command: PlanCommand::Import { db, file, plan, title, year, dry_run } } => {
            plan_import(&db.db, &file, engine::plans::Plan { id: plan, title, year }, dry_run)?;
        }
        Command::User { command: UserCommand::Add { db, name, role, regions, departments, password } } => {
            let departments = department_names(&departments);
            let password = if password {
                eprint!("{} 的密码：", name.trim());
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let token = in_transaction(&db.db, |conn| {
                let token = engine::users::add_with_departments(conn, "cli", &name, role, &regions, &departments)?;
                if let Some(password) = &password {
                    engine::users::set_password(conn, "cli", name.trim(), password)?;
                }
                Ok(token)
            })?;
            println!("已添加用户“{}”（{}）。", name.trim(), role.as_str());
            println!("API令牌（只显示这一次，请妥善保管）：");
            println!("{token}");
        }
    }
    Ok(())
}
