//! `post_journal_entry`: a manual entry to the tenant's chart of accounts.
//! At least two lines; debits equal credits in every currency; every
//! account exists in this tenant's chart. Each line becomes a ledger line.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::domain::ledger::Posting;
use crate::domain::money::{Cents, Currency, AMOUNT_CENTS_MAX, CURRENCY_RULE};

pub const JOURNAL_LINES_MAX: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostJournalEntryInput {
    #[schemars(schema_with = "schema::date")]
    pub entry_date: String,
    #[schemars(schema_with = "schema::optional_description")]
    #[serde(default)]
    pub memo: Option<String>,
    #[schemars(length(min = 1, max = JOURNAL_LINES_MAX))]
    pub lines: Vec<JournalLineInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = schema::debit_or_credit)]
pub struct JournalLineInput {
    pub account_id: Uuid,
    #[schemars(schema_with = "schema::currency")]
    pub currency: String,
    #[schemars(schema_with = "schema::amount_or_zero")]
    #[serde(default)]
    pub debit_cents: i64,
    #[schemars(schema_with = "schema::amount_or_zero")]
    #[serde(default)]
    pub credit_cents: i64,
    #[schemars(schema_with = "schema::optional_description")]
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct JournalEntry {
    pub id: Uuid,
    pub object: String,
    pub entry_date: String,
    pub memo: Option<String>,
    pub lines: Vec<JournalLineInput>,
    pub created_at: String,
}

pub struct PostJournalEntry;

/// The first currency whose debits and credits differ, with both sums.
fn first_imbalance(lines: &[JournalLineInput]) -> Option<(String, i128, i128)> {
    let mut sums: BTreeMap<&str, (i128, i128)> = BTreeMap::new();
    for l in lines {
        let s = sums.entry(l.currency.as_str()).or_default();
        s.0 += i128::from(l.debit_cents);
        s.1 += i128::from(l.credit_cents);
    }
    sums.into_iter().find(|(_, (d, c))| d != c).map(|(cur, (d, c))| (cur.to_owned(), d, c))
}

#[async_trait]
impl Operation for PostJournalEntry {
    type Input = PostJournalEntryInput;
    type Record = JournalEntry;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "post_journal_entry",
        category: Category::Financial,
        method: Method::Post,
        route: "/v1/journal-entries",
        table: Table::JournalEntries,
        collection: "journal-entries",
        workflows: &[],
        rules: &["unbalanced_entry", "unknown_account", "period_closed"],
        not_found: &[],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_date("entry_date", &input.entry_date)?;
        check_optional_text("memo", input.memo.as_deref(), DESCRIPTION_CHARS_MAX)?;
        if input.lines.is_empty() || input.lines.len() > JOURNAL_LINES_MAX {
            return Err(format!("a journal entry has 1 to {JOURNAL_LINES_MAX} lines"));
        }
        for (i, l) in input.lines.iter().enumerate() {
            if Currency::parse(&l.currency).is_none() {
                return Err(format!("lines[{i}]: {CURRENCY_RULE}"));
            }
            let in_range = |c: i64| (0..=AMOUNT_CENTS_MAX).contains(&c);
            if !in_range(l.debit_cents) || !in_range(l.credit_cents) {
                return Err(format!("lines[{i}]: amounts are 0 to {AMOUNT_CENTS_MAX} cents"));
            }
            if (l.debit_cents > 0) == (l.credit_cents > 0) {
                return Err(format!("lines[{i}] debits or credits a positive amount, not both"));
            }
            check_optional_text(&format!("lines[{i}].description"), l.description.as_deref(), DESCRIPTION_CHARS_MAX)?;
        }
        Ok(())
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        // Decided by the body alone, so stored and replayed like any rule.
        if input.lines.len() < 2 {
            reject!(Rejection::rule("unbalanced_entry", "a journal entry has at least two lines"));
        }
        if let Some((currency, debits, credits)) = first_imbalance(&input.lines) {
            reject!(Rejection::rule(
                "unbalanced_entry",
                format!("{currency} debits of {debits} cents do not equal credits of {credits} cents")
            ));
        }
        let date = Date::parse(&input.entry_date).expect("validated");
        let open = proceed!(ensure_open(tx, ctx.tenant, date).await);
        let accounts: BTreeSet<Uuid> = input.lines.iter().map(|l| l.account_id).collect();
        for id in accounts {
            if referenced(tx, ctx, id, Table::Accounts, false).await?.is_none() {
                reject!(Rejection::rule(
                    "unknown_account",
                    format!("account {id} is not in this tenant's chart of accounts")
                ));
            }
        }
        let posting = input.lines.iter().fold(Posting::new(), |p, l| {
            let currency = Currency::parse(&l.currency).expect("validated");
            if l.debit_cents > 0 {
                p.debit(l.account_id.to_string(), currency, Cents(l.debit_cents))
            } else {
                p.credit(l.account_id.to_string(), currency, Cents(l.credit_cents))
            }
        });
        let body = JournalEntry {
            id: ctx.entity_id,
            object: "journal_entry".into(),
            entry_date: input.entry_date.clone(),
            memo: input.memo.clone(),
            lines: input.lines.clone(),
            created_at: ctx.now.clone(),
        };
        let mut plan = created(ctx, Self::SPEC, None, &to_value(&body));
        plan.inserts.extend(ledger_rows(ctx, Self::SPEC.table, posting, &open));
        Ok(Ok(plan))
    }
}
