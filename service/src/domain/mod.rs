//! The accounting domain's values: ids, money, dates and periods, the
//! ledger. No I/O and nothing above it: every other module may use it.

pub mod ids;
pub mod ledger;
pub mod money;
pub mod time;
