//! Helpers every plan uses: the record an execution creates (its id is the
//! deterministic id), updates of locked rows, the rows a ledger posting
//! writes, and lookups of the entities a request names.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::{to_value, ExecCtx, OpSpec, Plan};
use crate::domain::ledger::{OpenPeriod, Posting};
use crate::store::{Entity, StoreError, StoredResponse, Table, Tx};

/// Builds the entity an operation inserts: its id is the deterministic id.
pub fn new_entity(ctx: &ExecCtx, table: Table, parent_id: Option<Uuid>, body: &Value) -> Entity {
    Entity {
        id: ctx.entity_id,
        tenant_id: ctx.tenant,
        kind: table.kind().to_owned(),
        parent_id,
        body: serde_json::to_string(body).expect("a serde_json::Value always serialises"),
        version: 1,
    }
}

/// A plan that creates the operation's record (table and collection from its
/// spec), answers 201 with it, points `Location` at it and triggers the
/// spec's workflows. Callers add derived rows and updates.
pub fn created(ctx: &ExecCtx, spec: &'static OpSpec, parent_id: Option<Uuid>, body: &Value) -> Plan {
    let entity = new_entity(ctx, spec.table, parent_id, body);
    let response = StoredResponse {
        status: 201,
        body: entity.body.clone(),
        location: Some(format!("/v1/{}/{}", spec.collection, entity.id)),
    };
    Plan { inserts: vec![entity], updates: Vec::new(), workflows: spec.workflows, response }
}

/// The next version of a locked entity with a new body.
pub fn updated<T: Serialize>(entity: Entity, body: &T) -> Entity {
    Entity {
        body: serde_json::to_string(&to_value(body)).expect("a Value always serialises"),
        version: entity.version + 1,
        ..entity
    }
}

/// The entity named by the first path parameter, locked for update, if it
/// is a record of `table` of this tenant. Anything else is
/// indistinguishable from a missing entity (404).
pub async fn lock_target(tx: &mut dyn Tx, ctx: &ExecCtx, table: Table) -> Result<Option<Entity>, StoreError> {
    let Some(id) = ctx.path_id() else { return Ok(None) };
    tx.get_entity(ctx.tenant, table, id, true).await
}

/// An entity referenced by a body field, if it is a record of `table` of
/// this tenant.
pub async fn referenced(
    tx: &mut dyn Tx,
    ctx: &ExecCtx,
    id: Uuid,
    table: Table,
    for_update: bool,
) -> Result<Option<Entity>, StoreError> {
    tx.get_entity(ctx.tenant, table, id, for_update).await
}

/// The ledger rows of the record this execution creates (in `source`),
/// dated in a period proven open. Each line is a row of `ledger_lines`
/// under the record.
pub fn ledger_rows(ctx: &ExecCtx, source: Table, posting: Posting, open: &OpenPeriod) -> Vec<Entity> {
    posting
        .lines(ctx.entity_id, source.kind(), open)
        .into_iter()
        .map(|line| Entity {
            id: line.id,
            tenant_id: ctx.tenant,
            kind: Table::LedgerLines.kind().into(),
            parent_id: Some(ctx.entity_id),
            body: serde_json::to_string(&line).expect("ledger lines always serialise"),
            version: 1,
        })
        .collect()
}
