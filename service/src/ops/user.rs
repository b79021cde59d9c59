//! Users: `create_user` (reference data; emails unique per tenant) and
//! `change_user_role` (high risk: the last admin cannot be demoted).
//!
//! Concurrency: a creation takes its (lower-cased) email's named lock, so two
//! creations of one address serialise and the second finds the first through
//! the email index. A demotion of an admin takes the tenant's `admins` lock
//! after the user's row, so two concurrent demotions of the last two admins
//! serialise, and the second sees that it would remove the last.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::store::{FieldMatch, IndexedField, LockMode};
use schemars::{json_schema, Schema, SchemaGenerator};

pub const EMAIL_CHARS_MAX: usize = 254;
/// Held by demotions of an admin: the "another admin remains" check serialises.
const ADMINS_LOCK: &str = "admins";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Accountant,
    Approver,
    Viewer,
}

impl Role {
    pub const ALL: [Self; 4] = [Self::Admin, Self::Accountant, Self::Approver, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Accountant => "accountant",
            Self::Approver => "approver",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

fn check_role(role: &str) -> Result<Role, String> {
    Role::parse(role).ok_or_else(|| {
        let all: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("role must be one of {}", all.join(", "))
    })
}

/// Deliberately simple: one `@` with text on both sides, no whitespace.
fn check_email(email: &str) -> Result<(), String> {
    let ok = email.len() <= EMAIL_CHARS_MAX
        && email.bytes().all(|b| b.is_ascii_graphic())
        && email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'));
    if ok {
        Ok(())
    } else {
        Err(format!("email must be an address like name@example.com of at most {EMAIL_CHARS_MAX} characters"))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserInput {
    #[schemars(schema_with = "email_schema")]
    pub email: String,
    #[schemars(schema_with = "schema::name")]
    pub name: String,
    #[schemars(schema_with = "role_schema")]
    pub role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct User {
    pub id: Uuid,
    pub object: String,
    /// Stored lower-cased: the uniqueness rule ignores case.
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: String,
}

pub struct CreateUser;

#[async_trait]
impl Operation for CreateUser {
    type Input = CreateUserInput;
    type Record = User;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "create_user",
        category: Category::Reference,
        method: Method::Post,
        route: "/v1/users",
        table: Table::Users,
        collection: "users",
        workflows: &[],
        rules: &["email_taken"],
        not_found: &[],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_email(&input.email)?;
        check_text("name", &input.name, NAME_CHARS_MAX)?;
        check_role(&input.role).map(|_| ())
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let email = input.email.to_ascii_lowercase();
        // Only creations of the same address serialise.
        tx.lock(ctx.tenant, &format!("user_email:{email}"), LockMode::Exclusive).await?;
        let taken = FieldMatch {
            tenant: ctx.tenant,
            field: IndexedField::UserEmail,
            value: email.clone(),
            parent: None,
            except: None,
            limit: 1,
        };
        if tx.count_matching(&taken).await? > 0 {
            reject!(Rejection::rule("email_taken", "a user with this email exists"));
        }
        let body = User {
            id: ctx.entity_id,
            object: "user".into(),
            email,
            name: input.name.clone(),
            role: check_role(&input.role).expect("validated"),
            created_at: ctx.now.clone(),
        };
        Ok(Ok(created(ctx, Self::SPEC, None, &to_value(&body))))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeUserRoleInput {
    #[schemars(schema_with = "role_schema")]
    pub role: String,
}

/// The record of one role change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RoleChange {
    pub id: Uuid,
    pub object: String,
    pub user_id: Uuid,
    pub previous_role: Role,
    pub role: Role,
    pub created_at: String,
}

pub struct ChangeUserRole;

#[async_trait]
impl Operation for ChangeUserRole {
    type Input = ChangeUserRoleInput;
    type Record = RoleChange;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "change_user_role",
        category: Category::HighRisk,
        method: Method::Put,
        route: "/v1/users/{id}/role",
        table: Table::RoleChanges,
        collection: "role-changes",
        workflows: &[],
        rules: &["last_admin"],
        not_found: &["user_not_found"],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_role(&input.role).map(|_| ())
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let role = check_role(&input.role).expect("validated");
        // Demotions of an admin serialise on the tenant's `admins` lock, so
        // two of them cannot each count the other as the remaining admin.
        // Named locks come before rows: peek at the role unlocked first.
        let peeked = match ctx.path_id() {
            Some(id) => referenced(tx, ctx, id, Table::Users, false).await?,
            None => None,
        };
        let Some(peek) = peeked else {
            reject!(Rejection::not_found("user_not_found", "no such user"));
        };
        let demoting = from_entity::<User>(&peek)?.role == Role::Admin && role != Role::Admin;
        if demoting {
            tx.lock(ctx.tenant, ADMINS_LOCK, LockMode::Exclusive).await?;
        }
        let Some(entity) = lock_target(tx, ctx, Table::Users).await? else {
            reject!(Rejection::not_found("user_not_found", "no such user"));
        };
        let mut user: User = from_entity(&entity)?;
        if user.role == Role::Admin && role != Role::Admin {
            if !demoting {
                // Promoted to admin between the peek and the lock: decide
                // again, this time under the admins lock.
                return Err(StoreError::Retryable("user role changed under the check".into()));
            }
            let others = FieldMatch {
                tenant: ctx.tenant,
                field: IndexedField::UserRole,
                value: Role::Admin.as_str().into(),
                parent: None,
                except: Some(user.id),
                limit: 1,
            };
            if tx.count_matching(&others).await? == 0 {
                reject!(Rejection::rule("last_admin", "the tenant's last admin cannot be demoted"));
            }
        }
        let record = RoleChange {
            id: ctx.entity_id,
            object: "role_change".into(),
            user_id: entity.id,
            previous_role: user.role,
            role,
            created_at: ctx.now.clone(),
        };
        user.role = role;
        let mut plan = created(ctx, Self::SPEC, Some(entity.id), &to_value(&record));
        plan.updates.push(updated(entity, &user));
        Ok(Ok(plan))
    }
}

// The JSON Schema of this file's inputs (`ops/schema.rs` has the shared ones).

fn role_schema(_: &mut SchemaGenerator) -> Schema {
    schema::one_of(&Role::ALL.map(Role::as_str))
}

/// One `@` with visible ASCII on both sides (`check_email`).
fn email_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "maxLength": EMAIL_CHARS_MAX, "pattern": schema::EMAIL_PATTERN})
}
