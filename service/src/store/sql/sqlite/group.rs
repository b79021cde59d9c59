//! Group commit for SQLite's one writer.
//!
//! A commit writes every page the transaction changed to the WAL (a 4 KiB
//! frame each, checksummed): about 40 % of the service's time under write
//! load, and most of those pages (the audit log's and outbox's indexes, the
//! tables' last leaves) are the same from one request to the next. So
//! write transactions that follow each other on the writer share one
//! database transaction:
//!
//! - each request's transaction is a savepoint in it (`SAVEPOINT member`);
//!   its rollback undoes only its own writes;
//! - a request that commits while others queue for the writer, and the
//!   group is under `GROUP_MAX`, releases its savepoint into the group and
//!   waits; the last one (nobody queued, or the group full) COMMITs, and
//!   every waiting member learns the outcome of that COMMIT;
//! - a waiting member also queues for the writer itself: should nobody end
//!   the group (the queued requests gave up), it commits the group when its
//!   turn comes.
//!
//! Nothing is acknowledged before its COMMIT, so a request's response never
//! rests on writes that may vanish; a member that saw an earlier member's
//! writes commits or fails with it. A COMMIT that fails (or a group the
//! database rolled back by itself, a full disk or an I/O error) fails every
//! member, and each retries as after any failed commit.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::rows::classify;
use crate::store::StoreError;

/// Members of one group at most: the wait of its first member is bounded
/// by this many transactions (a few milliseconds).
pub(in crate::store::sql) const GROUP_MAX: usize = 16;

/// A member's transaction inside the group's.
pub(in crate::store::sql) const MEMBER_BEGIN: &str = "SAVEPOINT member";
pub(in crate::store::sql) const MEMBER_RELEASE: &str = "RELEASE member";
pub(in crate::store::sql) const MEMBER_ROLLBACK: &str = "ROLLBACK TO member";

/// The outcome a waiting member is told.
pub(in crate::store::sql) type Outcome = Result<(), StoreError>;

#[derive(Default)]
struct Group {
    /// Bumped whenever a group ends (committed or lost).
    generation: u64,
    waiting: Vec<oneshot::Sender<Outcome>>,
}

pub(in crate::store::sql) struct GroupCommit {
    group: Mutex<Group>,
    /// Requests waiting in `begin` for the writer.
    pub(in crate::store::sql) queued: AtomicUsize,
    /// Members one COMMIT may carry (1: every transaction commits alone).
    max: usize,
}

impl Default for GroupCommit {
    fn default() -> Self {
        Self::with_max(GROUP_MAX)
    }
}

/// Counts a request as queued for the writer while it lives.
pub(in crate::store::sql) struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl GroupCommit {
    /// A group commit of at most `max` members (1 to `GROUP_MAX`).
    pub(in crate::store::sql) fn with_max(max: usize) -> Self {
        Self { group: Mutex::default(), queued: AtomicUsize::new(0), max: max.clamp(1, GROUP_MAX) }
    }

    fn group(&self) -> std::sync::MutexGuard<'_, Group> {
        self.group.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(in crate::store::sql) fn queue(&self) -> Queued<'_> {
        self.queued.fetch_add(1, Ordering::AcqRel);
        Queued(&self.queued)
    }

    /// Should a member that is done wait for others rather than COMMIT?
    pub(in crate::store::sql) fn defer(&self) -> bool {
        self.queued.load(Ordering::Acquire) > 0 && self.group().waiting.len() + 1 < self.max
    }

    /// Members waiting for the group's COMMIT.
    pub(in crate::store::sql) fn waiting(&self) -> usize {
        self.group().waiting.len()
    }

    /// Joins the waiting members: the group's generation, and where its
    /// outcome will arrive.
    pub(in crate::store::sql) fn wait(&self) -> (u64, oneshot::Receiver<Outcome>) {
        let (tx, rx) = oneshot::channel();
        let mut g = self.group();
        g.waiting.push(tx);
        (g.generation, rx)
    }

    pub(in crate::store::sql) fn generation(&self) -> u64 {
        self.group().generation
    }

    /// Ends the group on `conn` (the writer, held): COMMIT, or the error of
    /// a group already lost; every waiting member is told.
    pub(in crate::store::sql) fn commit(&self, conn: &Connection) -> Outcome {
        let outcome = if conn.is_autocommit() {
            Err(StoreError::Other("the database rolled the transaction back".into()))
        } else {
            let committed = conn.execute_batch("COMMIT").map_err(classify);
            if committed.is_err() && !conn.is_autocommit() {
                // The next request must begin afresh, not inside this.
                if let Err(e) = conn.execute_batch("ROLLBACK") {
                    tracing::warn!(error = %e, "rolling back a group whose COMMIT failed failed");
                }
            }
            committed
        };
        self.end(outcome.clone());
        outcome
    }

    /// The group's transaction is gone: every waiting member fails.
    pub(in crate::store::sql) fn fail(&self, e: StoreError) {
        self.end(Err(e));
    }

    fn end(&self, outcome: Outcome) {
        let waiting = {
            let mut g = self.group();
            g.generation += 1;
            std::mem::take(&mut g.waiting)
        };
        if outcome.is_ok() && !waiting.is_empty() {
            crate::reach::point("sqlite.group_commit_shared");
        }
        for member in waiting {
            let _ = member.send(outcome.clone());
        }
    }
}
