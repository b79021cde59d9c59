use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;

pub const CREATE_CUSTOMER: OpSpec = OpSpec {
    name: "create_customer",
    category: Category::Reference,
    method: Method::Post,
    route: "/v1/customers",
    workflows: &[],
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomerInput {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    pub id: Uuid,
    pub object: String,
    pub name: String,
    pub created_at: String,
}

pub struct CreateCustomer;

#[async_trait]
impl Operation for CreateCustomer {
    type Input = CreateCustomerInput;

    fn spec(&self) -> &'static OpSpec {
        &CREATE_CUSTOMER
    }

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_text("name", &input.name, NAME_CHARS_MAX)
    }

    async fn plan(&self, _tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let body = Customer {
            id: ctx.entity_id,
            object: "customer".into(),
            name: input.name.clone(),
            created_at: ctx.now.clone(),
        };
        Ok(Ok(created(ctx, "customer", "customers", None, &to_value(&body), CREATE_CUSTOMER.workflows)))
    }
}
