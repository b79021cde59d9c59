//! Background and administrative jobs: the outbox dispatcher and key
//! expiry (on the store's jobs side, so they also run under simulation),
//! and the compliance queries with the audit log's lifecycle (SQL only,
//! compiled out under `--cfg madsim`).

#[cfg(not(madsim))]
pub mod compliance;
pub mod key_reaper;
pub mod outbox;
