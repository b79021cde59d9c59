//! Background and administrative jobs over the one opened database: the
//! outbox dispatcher, key expiry, and the compliance queries with the
//! audit log's lifecycle. Compiled out under `--cfg madsim`.

pub mod compliance;
pub mod key_reaper;
pub mod outbox;
