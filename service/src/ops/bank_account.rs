//! Bank accounts: `create_bank_account` (reference data) and
//! `update_bank_account` (high risk: starts `bank_change_alert`).
//!
//! Account and routing numbers are validated (digits; ABA checksum and
//! prefix for routing numbers) and then only their masked form (`****6789`)
//! is kept: entity bodies are the API's responses, so nothing stored can
//! reveal a number. `Debug` of the input types masks too, so no log line can
//! print one. The full numbers belong in a payments vault, not here.

use std::fmt;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use schemars::{json_schema, Schema, SchemaGenerator};

pub const ACCOUNT_NUMBER_DIGITS_MIN: usize = 4;
pub const ACCOUNT_NUMBER_DIGITS_MAX: usize = 17;

/// The last four characters behind a fixed mask, whatever the length.
fn mask(s: &str) -> String {
    let tail: String = s.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("****{tail}")
}

/// Reads a number sent as a JSON string. Anything else is refused without
/// echoing it: serde's own message would quote a number sent as an integer.
fn digits_string<'de, D: serde::Deserializer<'de>>(d: D, field: &'static str) -> Result<String, D::Error> {
    struct Digits(&'static str);
    impl serde::de::Visitor<'_> for Digits {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} as a string of digits", self.0)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<String, E> {
            Err(E::custom(format!("{} must be a string of digits, not a number", self.0)))
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<String, E> {
            Err(E::custom(format!("{} must be a string of digits, not a number", self.0)))
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<String, E> {
            Err(E::custom(format!("{} must be a string of digits, not a number", self.0)))
        }
    }
    d.deserialize_any(Digits(field))
}

/// A bank account number as sent. Never printed or stored whole.
#[derive(Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(transparent)]
#[schemars(schema_with = "account_number_schema")]
pub struct AccountNumber(String);

impl<'de> Deserialize<'de> for AccountNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        digits_string(d, "account_number").map(Self)
    }
}

impl AccountNumber {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// Error messages never echo the number.
    pub fn check(&self) -> Result<(), String> {
        let ok = (ACCOUNT_NUMBER_DIGITS_MIN..=ACCOUNT_NUMBER_DIGITS_MAX).contains(&self.0.len())
            && self.0.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(())
        } else {
            Err(format!("account_number must be {ACCOUNT_NUMBER_DIGITS_MIN} to {ACCOUNT_NUMBER_DIGITS_MAX} digits"))
        }
    }

    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountNumber({})", self.masked())
    }
}

/// A US ABA routing transit number as sent. Never printed or stored whole.
#[derive(Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(transparent)]
#[schemars(schema_with = "routing_number_schema")]
pub struct RoutingNumber(String);

impl<'de> Deserialize<'de> for RoutingNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        digits_string(d, "routing_number").map(Self)
    }
}

impl RoutingNumber {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// Nine digits and a Federal Reserve prefix (00–12, 21–32, 61–72, 80);
    /// the checksum is `check_checksum`.
    pub fn check(&self) -> Result<(), String> {
        let d: Vec<u32> = self.0.chars().filter_map(|c| c.to_digit(10)).collect();
        if self.0.len() != 9 || d.len() != 9 {
            return Err("routing_number must be 9 digits".into());
        }
        let prefix = d[0] * 10 + d[1];
        if !matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80) {
            return Err("routing_number has no valid ABA prefix".into());
        }
        Ok(())
    }

    /// The ABA checksum, which no schema pattern can state: its own code.
    pub fn check_checksum(&self) -> Result<(), InputRule> {
        let d: Vec<u32> = self.0.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum = d.len() == 9 && {
            let s = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
            s.is_multiple_of(10)
        };
        if sum {
            Ok(())
        } else {
            Err(InputRule { code: "invalid_routing_number", detail: "routing_number fails the ABA checksum".into() })
        }
    }

    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for RoutingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoutingNumber({})", self.masked())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBankAccountInput {
    #[schemars(schema_with = "schema::name")]
    pub holder_name: String,
    pub account_number: AccountNumber,
    pub routing_number: RoutingNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BankAccount {
    pub id: Uuid,
    pub object: String,
    pub holder_name: String,
    pub account_number_masked: String,
    pub routing_number_masked: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

pub struct CreateBankAccount;

#[async_trait]
impl Operation for CreateBankAccount {
    type Input = CreateBankAccountInput;
    type Record = BankAccount;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "create_bank_account",
        category: Category::Reference,
        method: Method::Post,
        route: "/v1/bank-accounts",
        table: Table::BankAccounts,
        collection: "bank-accounts",
        workflows: &[],
        rules: &[],
        not_found: &[],
        input_rules: &["invalid_routing_number"],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_text("holder_name", &input.holder_name, NAME_CHARS_MAX)?;
        input.account_number.check()?;
        input.routing_number.check()
    }

    fn check(&self, input: &Self::Input) -> Result<(), InputRule> {
        input.routing_number.check_checksum()
    }

    async fn plan(&self, _tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let body = BankAccount {
            id: ctx.entity_id,
            object: "bank_account".into(),
            holder_name: input.holder_name.clone(),
            account_number_masked: input.account_number.masked(),
            routing_number_masked: input.routing_number.masked(),
            created_at: ctx.now.clone(),
            updated_at: None,
        };
        Ok(Ok(created(ctx, Self::SPEC, None, &to_value(&body))))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBankAccountInput {
    pub account_number: AccountNumber,
    pub routing_number: RoutingNumber,
    #[schemars(schema_with = "schema::optional_name")]
    /// Unchanged when absent.
    #[serde(default)]
    pub holder_name: Option<String>,
}

/// What a bank account looked like on one side of a change (masked).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct BankDetails {
    pub holder_name: String,
    pub account_number_masked: String,
    pub routing_number_masked: String,
}

impl BankDetails {
    fn of(a: &BankAccount) -> Self {
        Self {
            holder_name: a.holder_name.clone(),
            account_number_masked: a.account_number_masked.clone(),
            routing_number_masked: a.routing_number_masked.clone(),
        }
    }
}

/// The record of one change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct BankAccountUpdate {
    pub id: Uuid,
    pub object: String,
    pub bank_account_id: Uuid,
    pub previous: BankDetails,
    pub current: BankDetails,
    pub created_at: String,
}

pub struct UpdateBankAccount;

#[async_trait]
impl Operation for UpdateBankAccount {
    type Input = UpdateBankAccountInput;
    type Record = BankAccountUpdate;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "update_bank_account",
        category: Category::HighRisk,
        method: Method::Put,
        route: "/v1/bank-accounts/{id}",
        table: Table::BankAccountUpdates,
        collection: "bank-account-updates",
        workflows: &["bank_change_alert"],
        rules: &[],
        not_found: &["bank_account_not_found"],
        input_rules: &["invalid_routing_number"],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        input.account_number.check()?;
        input.routing_number.check()?;
        check_optional_text("holder_name", input.holder_name.as_deref(), NAME_CHARS_MAX)
    }

    fn check(&self, input: &Self::Input) -> Result<(), InputRule> {
        input.routing_number.check_checksum()
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let Some(entity) = lock_target(tx, ctx, Table::BankAccounts).await? else {
            reject!(Rejection::not_found("bank_account_not_found", "no such bank account"));
        };
        let mut account: BankAccount = from_entity(&entity)?;
        let previous = BankDetails::of(&account);
        if let Some(name) = &input.holder_name {
            account.holder_name = name.clone();
        }
        account.account_number_masked = input.account_number.masked();
        account.routing_number_masked = input.routing_number.masked();
        account.updated_at = Some(ctx.now.clone());
        let record = BankAccountUpdate {
            id: ctx.entity_id,
            object: "bank_account_update".into(),
            bank_account_id: entity.id,
            previous,
            current: BankDetails::of(&account),
            created_at: ctx.now.clone(),
        };
        let mut plan = created(ctx, Self::SPEC, Some(entity.id), &to_value(&record));
        plan.updates.push(updated(entity, &account));
        Ok(Ok(plan))
    }
}

// The JSON Schema of this file's inputs (`ops/schema.rs` has the shared ones).

/// `AccountNumber::check`.
fn account_number_schema(_: &mut SchemaGenerator) -> Schema {
    let pattern = format!("^[0-9]{{{ACCOUNT_NUMBER_DIGITS_MIN},{ACCOUNT_NUMBER_DIGITS_MAX}}}$");
    json_schema!({"type": "string", "pattern": pattern})
}

/// Nine digits with a valid ABA prefix (`RoutingNumber::check`); the
/// checksum is refused as `invalid_routing_number`.
fn routing_number_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": schema::ROUTING_PATTERN})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_numbers_need_prefix_and_checksum() {
        for ok in ["011000015", "021000021", "111000025"] {
            assert_eq!(RoutingNumber::new(ok).check(), Ok(()), "{ok}");
        }
        for bad in ["12345678", "0110000150", "01100001a", "991000015", ""] {
            assert!(RoutingNumber::new(bad).check().is_err(), "{bad}");
        }
        // Nine digits and a valid prefix, but a wrong checksum: its own code.
        assert_eq!(RoutingNumber::new("011000016").check(), Ok(()));
        assert_eq!(RoutingNumber::new("011000016").check_checksum().map_err(|r| r.code), Err("invalid_routing_number"));
        for ok in ["011000015", "021000021", "111000025"] {
            assert_eq!(RoutingNumber::new(ok).check_checksum(), Ok(()), "{ok}");
        }
    }

    #[test]
    fn numbers_never_show_in_full() {
        let a = AccountNumber::new("000123456789");
        assert_eq!(a.masked(), "****6789");
        assert_eq!(format!("{a:?}"), "AccountNumber(****6789)");
        let r = RoutingNumber::new("021000021");
        assert_eq!(format!("{r:?}"), "RoutingNumber(****0021)");
        let err = AccountNumber::new("12345678901234567890").check().unwrap_err();
        assert!(!err.contains("1234"), "{err}");
        assert!(AccountNumber::new("12a4").check().is_err());
        assert!(AccountNumber::new("123").check().is_err());
    }
}
