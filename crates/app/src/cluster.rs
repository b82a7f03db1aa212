//! Several `tongban serve` processes on one database.
//!
//! - [`App::run_deadline_jobs_once`]: the 容缺 deadline job under a lease, so when nodes run it at
//!   the same moment only one does the work (the case version check would already keep the data
//!   right; the lease keeps the others from doing the reading and the event building twice).
//! - The reference generation: every change to what a node keeps in memory (catalog imports and
//!   edits, calendar changes — all of which end in [`App::reload`]) bumps a counter in the
//!   database; each node polls it with a [`GenerationWatch`] and reloads when it moved.

use std::time::Duration;

use chrono::NaiveDate;

use crate::App;
use crate::cases::DeadlineReport;
use crate::error::AppResult;

/// The lease name of the 容缺 deadline job.
pub const DEADLINE_JOB: &str = "deadline_jobs";
/// The generation counter of the catalog and the calendar.
pub const REFERENCE: &str = "reference";
/// How long a lease holds if its holder dies without giving it back.
pub const LEASE_TTL: Duration = Duration::from_secs(600);

impl App {
    /// Runs [`App::run_deadline_jobs`] if no other node is running it right now; `None` when
    /// another holds the lease (it is doing the work).
    pub async fn run_deadline_jobs_once(
        &self,
        today: NaiveDate,
    ) -> AppResult<Option<DeadlineReport>> {
        let holder = format!("{:016x}", rand::random::<u64>());
        let now = self.clock.now().timestamp_millis();
        let ttl = i64::try_from(LEASE_TTL.as_millis()).unwrap_or(i64::MAX);
        if !self
            .store
            .try_lease(DEADLINE_JOB, &holder, now, now.saturating_add(ttl))
            .await?
        {
            return Ok(None);
        }
        let result = self.run_deadline_jobs(today).await;
        // Given back even when the job failed, so the next tick (here or elsewhere) retries.
        self.store.release_lease(DEADLINE_JOB, &holder).await?;
        result.map(Some)
    }

    /// Tells every node that the catalog or the calendar changed (called by [`App::reload`]).
    pub(crate) async fn announce_reference_change(&self) -> AppResult<()> {
        self.store.bump_generation(REFERENCE).await?;
        Ok(())
    }

    /// The current reference generation in the database.
    pub async fn reference_generation(&self) -> AppResult<i64> {
        Ok(self.store.generation(REFERENCE).await?)
    }
}

/// What one node last loaded; [`GenerationWatch::poll`] reloads when the database moved past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerationWatch {
    seen: i64,
}

impl GenerationWatch {
    /// Starts from the generation read *before* the app loaded its reference data, so a change
    /// made while loading is picked up by the first poll rather than missed.
    pub fn starting_at(seen: i64) -> GenerationWatch {
        GenerationWatch { seen }
    }

    /// Reads the generation and reloads when it moved; returns whether it reloaded. The
    /// generation is read before reloading, so what is loaded is at least that new.
    pub async fn poll(&mut self, app: &App) -> AppResult<bool> {
        let now = app.reference_generation().await?;
        if now == self.seen {
            return Ok(false);
        }
        app.reload_local().await?;
        self.seen = now;
        Ok(true)
    }

    pub fn seen(&self) -> i64 {
        self.seen
    }
}
