//! `create_account`: the tenant's chart of accounts, which journal entries
//! post to. Account codes are unique per tenant: a creation takes its code's
//! named lock, so two concurrent creations of one code cannot both pass.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::store::{FieldMatch, IndexedField, LockMode};
use schemars::{json_schema, Schema, SchemaGenerator};

pub const ACCOUNT_CODE_CHARS_MAX: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

impl AccountType {
    pub const ALL: [Self; 5] = [Self::Asset, Self::Liability, Self::Equity, Self::Revenue, Self::Expense];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asset => "asset",
            Self::Liability => "liability",
            Self::Equity => "equity",
            Self::Revenue => "revenue",
            Self::Expense => "expense",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountInput {
    #[schemars(schema_with = "account_code_schema")]
    pub code: String,
    #[schemars(schema_with = "schema::name")]
    pub name: String,
    #[schemars(schema_with = "account_type_schema")]
    #[serde(rename = "type")]
    pub account_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Account {
    pub id: Uuid,
    pub object: String,
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: AccountType,
    pub created_at: String,
}

pub struct CreateAccount;

#[async_trait]
impl Operation for CreateAccount {
    type Input = CreateAccountInput;
    type Record = Account;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "create_account",
        category: Category::Reference,
        method: Method::Post,
        route: "/v1/accounts",
        table: Table::Accounts,
        collection: "accounts",
        workflows: &[],
        rules: &["account_code_taken"],
        not_found: &[],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        let code_ok = (1..=ACCOUNT_CODE_CHARS_MAX).contains(&input.code.len())
            && input.code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !code_ok {
            return Err(format!("code must be 1 to {ACCOUNT_CODE_CHARS_MAX} of A-Z, a-z, 0-9, '-', '.'"));
        }
        check_text("name", &input.name, NAME_CHARS_MAX)?;
        if AccountType::parse(&input.account_type).is_none() {
            let all: Vec<_> = AccountType::ALL.iter().map(|t| t.as_str()).collect();
            return Err(format!("type must be one of {}", all.join(", ")));
        }
        Ok(())
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        // Only creations of the same code serialise; the check reads the
        // code's index entries, not the tenant's chart.
        tx.lock(ctx.tenant, &format!("account_code:{}", input.code), LockMode::Exclusive).await?;
        let taken = FieldMatch {
            tenant: ctx.tenant,
            field: IndexedField::AccountCode,
            value: input.code.clone(),
            parent: None,
            except: None,
            limit: 1,
        };
        if tx.count_matching(&taken).await? > 0 {
            reject!(Rejection::rule("account_code_taken", format!("account code {} is already in use", input.code)));
        }
        let body = Account {
            id: ctx.entity_id,
            object: "account".into(),
            code: input.code.clone(),
            name: input.name.clone(),
            account_type: AccountType::parse(&input.account_type).expect("validated"),
            created_at: ctx.now.clone(),
        };
        Ok(Ok(created(ctx, Self::SPEC, None, &to_value(&body))))
    }
}

// The JSON Schema of this file's inputs (`ops/schema.rs` has the shared ones).

/// 1–20 of A–Z, a–z, 0–9, `-`, `.` (`CreateAccount::validate`).
fn account_code_schema(_: &mut SchemaGenerator) -> Schema {
    let pattern = format!("^[A-Za-z0-9.-]{{1,{ACCOUNT_CODE_CHARS_MAX}}}$");
    json_schema!({"type": "string", "pattern": pattern})
}

fn account_type_schema(_: &mut SchemaGenerator) -> Schema {
    schema::one_of(&AccountType::ALL.map(AccountType::as_str))
}
