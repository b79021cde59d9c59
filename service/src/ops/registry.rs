//! The registry: every mutation the service exposes, by category.
//!
//! Adding an operation = one `Operation` implementation + its type name in
//! one list of `registry!` below. From that one line come the category
//! slices, `REGISTRY` (metrics, contract), and `visit_all`, through which
//! the router mounts every operation and nothing else; a compile-time check
//! keeps each operation's declared category equal to the list it is in.

use super::*;

/// Something that wants every registered operation with its concrete type
/// (the router, to mount each one; tests, to run each one).
pub trait OperationVisitor {
    fn visit<O: Operation>(&mut self, op: O);
}

/// The registry as the contract verifier sees it: one slice per category.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue {
    pub financial: &'static [&'static OpSpec],
    pub high_risk: &'static [&'static OpSpec],
    pub reference: &'static [&'static OpSpec],
}

impl Catalogue {
    /// Every entry with the category of the slice it is listed in.
    pub fn entries(&self) -> impl Iterator<Item = (Category, &'static OpSpec)> + '_ {
        let tag = |c: Category| move |s: &&'static OpSpec| (c, *s);
        (self.financial.iter().map(tag(Category::Financial)))
            .chain(self.high_risk.iter().map(tag(Category::HighRisk)))
            .chain(self.reference.iter().map(tag(Category::Reference)))
    }
}

macro_rules! registry {
    (
        financial: [$($fin:ident),* $(,)?],
        high_risk: [$($risk:ident),* $(,)?],
        reference: [$($refd:ident),* $(,)?] $(,)?
    ) => {
        /// Money moves or is recognised: the ledger is posted.
        pub const FINANCIAL_MUTATIONS: &[&OpSpec] = &[$(<$fin as Operation>::SPEC),*];
        /// Irreversible or security-relevant changes to existing records.
        pub const HIGH_RISK_MUTATIONS: &[&OpSpec] = &[$(<$risk as Operation>::SPEC),*];
        /// Reference data the other operations point at.
        pub const REFERENCE_MUTATIONS: &[&OpSpec] = &[$(<$refd as Operation>::SPEC),*];
        /// Every registered mutation. The router mounts mutations only from here.
        pub const REGISTRY: &[&OpSpec] = &[
            $(<$fin as Operation>::SPEC,)* $(<$risk as Operation>::SPEC,)* $(<$refd as Operation>::SPEC,)*
        ];
        pub const CATALOGUE: Catalogue = Catalogue {
            financial: FINANCIAL_MUTATIONS,
            high_risk: HIGH_RISK_MUTATIONS,
            reference: REFERENCE_MUTATIONS,
        };

        /// Hands every registered operation, in registry order, to `v`.
        pub fn visit_all(v: &mut impl OperationVisitor) {
            $(v.visit($fin);)* $(v.visit($risk);)* $(v.visit($refd);)*
        }

        // An operation listed under the wrong category does not compile.
        const _: () = {
            $(assert!(
                matches!(<$fin as Operation>::SPEC.category, Category::Financial),
                concat!(stringify!($fin), " is listed as financial but declares another category")
            );)*
            $(assert!(
                matches!(<$risk as Operation>::SPEC.category, Category::HighRisk),
                concat!(stringify!($risk), " is listed as high-risk but declares another category")
            );)*
            $(assert!(
                matches!(<$refd as Operation>::SPEC.category, Category::Reference),
                concat!(stringify!($refd), " is listed as reference but declares another category")
            );)*
        };
    };
}

registry! {
    financial: [CreateInvoice, RecordPayment, PostJournalEntry, IssueRefund, CreateBill],
    high_risk: [VoidInvoice, ClosePeriod, UpdateBankAccount, ChangeUserRole, DeleteCustomer, ApprovePayrollRun],
    reference: [CreateCustomer, CreateVendor, CreateUser, CreateAccount, CreateBankAccount, CreatePayrollRun],
}
