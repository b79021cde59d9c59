//! `accubooks audit …`: the compliance queries of the rollout plan, each
//! as a human table or `--json`, exiting non-zero on a violation; and the
//! audit log's lifecycle (archive, partitions).

use accubooks_service::domain::ledger;
use accubooks_service::jobs::compliance::{self, Db};
use accubooks_service::store::sql::{connect, SqlLimits};
use clap::{Args, Subcommand};
use serde::Serialize;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Every tenant's ledger balances per currency (and every posting on its
    /// own); exits non-zero on any imbalance.
    VerifyLedger {
        #[command(flatten)]
        out: Out,
    },
    /// No deterministic id executed twice (`new` audit rows) in the last N days.
    VerifyNoDuplicates(Window<30>),
    /// Every `new` audit row's workflows_triggered matches the outbox rows.
    VerifyWorkflows(Window<7>),
    /// New vs replayed requests per operation.
    ReplayRate(Window<7>),
    /// Failed requests per operation and error message.
    Failures(Window<7>),
    /// Move audit rows older than the cut-off to the archive table (one transaction, counts verified).
    Archive {
        /// Age cut-off in days, written `90d` or `90`.
        #[arg(long, value_parser = parse_days, default_value = "90d")]
        older_than: u32,
        #[command(flatten)]
        out: Out,
    },
    /// Postgres: create the monthly partitions for this month and the next N.
    Partitions {
        #[arg(long, default_value_t = 3)]
        months_ahead: u32,
        #[command(flatten)]
        out: Out,
    },
}

#[derive(Args)]
pub struct Window<const D: u32> {
    /// How many days back to look.
    #[arg(long, default_value_t = D)]
    days: u32,
    #[command(flatten)]
    out: Out,
}

#[derive(Args)]
pub struct Out {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://accubooks.db")]
    database_url: String,
}

fn parse_days(s: &str) -> Result<u32, String> {
    let n = s.strip_suffix('d').unwrap_or(s);
    n.parse::<u32>().map_err(|_| format!("expected days such as 90d, got {s:?}"))
}

fn print<T: Serialize>(json: bool, value: &T, table: impl FnOnce()) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        table();
    }
    Ok(())
}

async fn open(out: &Out) -> anyhow::Result<Db> {
    Ok(compliance::open(&out.database_url).await?)
}

/// Runs one audit command; `Ok(false)` means a violation was found.
pub async fn run(cmd: AuditCommand) -> anyhow::Result<bool> {
    match cmd {
        AuditCommand::VerifyLedger { out } => {
            let store = connect(&out.database_url, SqlLimits::default()).await?;
            let lines = store.list_entities(None, accubooks_service::store::Table::LedgerLines, None).await?;
            let report = ledger::verify(&lines);
            print!("{}", report.render());
            Ok(report.is_balanced())
        }
        AuditCommand::VerifyNoDuplicates(w) => {
            let rows = open(&w.out).await?.duplicates(w.days).await?;
            print(w.out.json, &serde_json::json!({ "days": w.days, "duplicates": rows }), || {
                println!("{:<38} {:>15}", "deterministic_id", "execution_count");
                for r in &rows {
                    println!("{:<38} {:>15}", r.deterministic_id, r.execution_count);
                }
                println!("{} duplicate(s) in the last {} days", rows.len(), w.days);
            })?;
            Ok(rows.is_empty())
        }
        AuditCommand::VerifyWorkflows(w) => {
            let rows = open(&w.out).await?.workflow_mismatches(w.days).await?;
            print(w.out.json, &serde_json::json!({ "days": w.days, "mismatches": rows }), || {
                println!("{:<38} {:>19} {:>16}", "deterministic_id", "workflows_triggered", "actual_workflows");
                for r in &rows {
                    println!("{:<38} {:>19} {:>16}", r.deterministic_id, r.workflows_triggered, r.actual_workflows);
                }
                println!("{} mismatch(es) in the last {} days", rows.len(), w.days);
            })?;
            Ok(rows.is_empty())
        }
        AuditCommand::ReplayRate(w) => {
            let rows = open(&w.out).await?.replay_rate(w.days).await?;
            print(w.out.json, &serde_json::json!({ "days": w.days, "operations": rows }), || {
                println!(
                    "{:<24} {:>9} {:>12} {:>15}",
                    "operation_name", "new_count", "replay_count", "replay_rate_pct"
                );
                for r in &rows {
                    println!(
                        "{:<24} {:>9} {:>12} {:>15.2}",
                        r.operation_name, r.new_count, r.replay_count, r.replay_rate_pct
                    );
                }
            })?;
            Ok(true)
        }
        AuditCommand::Failures(w) => {
            let rows = open(&w.out).await?.failures(w.days).await?;
            print(w.out.json, &serde_json::json!({ "days": w.days, "failures": rows }), || {
                println!("{:<24} {:>13}  error_message", "operation_name", "failure_count");
                for r in &rows {
                    println!(
                        "{:<24} {:>13}  {}",
                        r.operation_name,
                        r.failure_count,
                        r.error_message.as_deref().unwrap_or("-")
                    );
                }
            })?;
            Ok(true)
        }
        AuditCommand::Archive { older_than, out } => {
            let report = open(&out).await?.archive(older_than).await?;
            print(out.json, &report, || {
                println!(
                    "archived {} audit row(s) older than {} days; {} verified in idempotent_write_audit_log_archive",
                    report.moved, report.cutoff_days, report.verified
                )
            })?;
            Ok(true)
        }
        AuditCommand::Partitions { months_ahead, out } => {
            let db = open(&out).await?;
            if !db.is_postgres() {
                anyhow::bail!("partitions exist on Postgres only (SQLite keeps one audit table)");
            }
            let created = db.ensure_partitions(months_ahead).await?;
            let all = db.partitions().await?;
            print(out.json, &serde_json::json!({ "created": created, "partitions": all }), || {
                for p in &all {
                    println!("{p}{}", if created.contains(p) { "  (created)" } else { "" });
                }
            })?;
            Ok(true)
        }
    }
}
