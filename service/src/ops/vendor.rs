//! `create_vendor`: reference data that bills point at.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVendorInput {
    #[schemars(schema_with = "schema::name")]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Vendor {
    pub id: Uuid,
    pub object: String,
    pub name: String,
    pub created_at: String,
}

pub struct CreateVendor;

#[async_trait]
impl Operation for CreateVendor {
    type Input = CreateVendorInput;
    type Record = Vendor;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "create_vendor",
        category: Category::Reference,
        method: Method::Post,
        route: "/v1/vendors",
        table: Table::Vendors,
        collection: "vendors",
        workflows: &[],
        rules: &[],
        not_found: &[],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_text("name", &input.name, NAME_CHARS_MAX)
    }

    async fn plan(&self, _tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let body = Vendor {
            id: ctx.entity_id,
            object: "vendor".into(),
            name: input.name.clone(),
            created_at: ctx.now.clone(),
        };
        Ok(Ok(created(ctx, Self::SPEC, None, &to_value(&body))))
    }
}
