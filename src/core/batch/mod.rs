//! Many identities through one client, at the speed MoneyKit allows
//! (docs/C-API.md, "Batches").
//!
//! `concurrency` worker threads take link ids in order, wait for the
//! [`Limiter`] (app and per-link limits, and a batch-wide pause on a 429), make
//! the call and push its result into a bounded channel that the caller drains
//! with [`Batch::next`]. A full channel stops the workers, so memory does not
//! grow with the number of links: a batch holds its link ids, the limiter's
//! window of recent links and at most `2 × concurrency` undelivered results.
//!
//! On a 429 every worker pauses for the server's `Retry-After` (the call that
//! got it waits the same time inside the client, then retries); a call that
//! still ends rate limited goes back to the queue, at most [`MAX_REQUEUES`] times.

mod fleet;
mod limiter;
mod options;
mod progress;

#[cfg_attr(not(feature = "coordination"), allow(unused_imports))]
pub(crate) use self::limiter::JITTER_MARGIN;
pub use self::limiter::{Acquired, Limiter};
pub(crate) use self::options::sets_key;
pub use self::options::{BatchOptions, BATCH_OPTION_KEYS};
pub use self::progress::Progress;

use self::fleet::Fleet;
use self::progress::Counters;
use crate::core::events::Event;
use crate::core::{check_id, CallControl, CancelToken, Client, Error, Status, RATE_LIMIT_WAIT};
use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How many times a link whose call ended rate limited is queued again.
pub(crate) const MAX_REQUEUES: u32 = 2;

/// Whatever holds the client the batch calls through (an `Arc<Client>`, or the
/// C layer's borrowed client).
pub type ClientHolder = Box<dyn Deref<Target = Client> + Send + Sync>;

/// One link's result.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    /// The link's position in the list the batch was started with.
    pub index: usize,
    pub link_id: String,
    /// The identity body, exactly as sent, or the call's error.
    pub result: Result<String, Error>,
}

/// What [`Batch::next`] found.
#[derive(Debug)]
pub enum Next {
    Item(Box<BatchItem>),
    /// No result within the timeout; the batch is still running.
    Pending,
    /// Every result was delivered (or the batch was cancelled and drained).
    Done,
}

struct Shared {
    client: ClientHolder,
    links: Vec<String>,
    next: AtomicUsize,
    /// Links to try again after a rate-limited end, with their requeue count.
    again: Mutex<VecDeque<(usize, u32)>>,
    limiter: Limiter,
    /// With coordination: the fleet's permits instead of `limiter`'s schedule (its 429
    /// pause still holds).
    fleet: Option<Fleet>,
    options: BatchOptions,
    cancel: CancelToken,
    counters: Counters,
}

/// A running batch. Dropping it cancels it and waits for its workers (about 100 ms).
pub struct Batch {
    shared: Arc<Shared>,
    results: Mutex<Option<Receiver<BatchItem>>>,
    workers: Vec<JoinHandle<()>>,
}

impl Batch {
    /// As [`Batch::start`], after checking every link id as Get Identity would
    /// (non-empty, at most `MAX_ID_LEN` bytes): a bad one starts nothing and is
    /// `MK_ERR_INVALID_ARGUMENT` naming it `link_ids[i]`, as `mk_batch_start` says.
    /// (`.` and `..` still give an item each, as from `start`.)
    pub fn try_start(
        client: ClientHolder,
        links: Vec<String>,
        options: BatchOptions,
    ) -> Result<Batch, Error> {
        for (i, link) in links.iter().enumerate() {
            check_id(link, &format!("link_ids[{i}]"))?;
        }
        Ok(Batch::start(client, links, options))
    }

    /// Starts fetching the identity of every link in `links` (duplicates are
    /// fetched once per occurrence, within the per-link limit). A link id Get
    /// Identity refuses gives an `MK_ERR_INVALID_ARGUMENT` item; [`Batch::try_start`]
    /// refuses the whole batch instead.
    pub fn start(client: ClientHolder, links: Vec<String>, options: BatchOptions) -> Batch {
        let minute = options.minute();
        let fleet = client
            .coordinator()
            .map(|c| Fleet::new(Arc::clone(c), options.app_per_minute, minute));
        let shared = Arc::new(Shared {
            fleet,
            client,
            next: AtomicUsize::new(0),
            again: Mutex::new(VecDeque::new()),
            limiter: Limiter::new(options.app_per_minute, options.link_per_minute, minute),
            cancel: CancelToken::new(),
            counters: Counters::new(links.len() as u64),
            links,
            options,
        });
        let concurrency = shared.options.concurrency as usize;
        let threads = concurrency.min(shared.links.len());
        let (tx, rx) = sync_channel(2 * concurrency);
        let workers = (0..threads)
            .map(|i| {
                let (shared, tx) = (Arc::clone(&shared), tx.clone());
                std::thread::Builder::new()
                    .name(format!("moneykit-batch-{i}"))
                    .spawn(move || worker(&shared, &tx))
                    .expect("spawning a batch worker")
            })
            .collect();
        Batch {
            shared,
            results: Mutex::new(Some(rx)),
            workers,
        }
    }

    /// The next result, waiting at most `timeout` for one.
    pub fn next(&self, timeout: Duration) -> Next {
        let guard = self.results.lock().unwrap_or_else(|p| p.into_inner());
        let Some(rx) = guard.as_ref() else {
            return Next::Done;
        };
        match rx.recv_timeout(timeout) {
            Ok(item) => Next::Item(Box::new(item)),
            Err(RecvTimeoutError::Timeout) => Next::Pending,
            Err(RecvTimeoutError::Disconnected) => Next::Done,
        }
    }

    /// Stops the batch: no new call starts, calls in flight return
    /// `MK_ERR_CANCELLED` within about 100 ms. Results already made (and those
    /// cancelled calls) are still delivered by [`Batch::next`], then `Done`.
    pub fn cancel(&self) {
        self.shared.cancel.cancel();
    }

    pub fn progress(&self) -> Progress {
        let s = &self.shared;
        let paused = s.limiter.paused_for();
        Progress {
            allowed_per_minute: f64::from(s.options.app_per_minute) * s.options.time_scale,
            paused: paused.is_some(),
            paused_ms: paused.map_or(0, |d| d.as_millis() as u64),
            cancelled: s.cancel.is_cancelled(),
            ..s.counters.snapshot()
        }
    }

    pub fn options(&self) -> &BatchOptions {
        &self.shared.options
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.shared.cancel.cancel();
        // Unblocks workers waiting to hand over a result.
        drop(
            self.results
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take(),
        );
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        if let Some(fleet) = &self.shared.fleet {
            fleet.release_all(&|e| self.shared.client.report_coordination(e));
        }
    }
}

impl Shared {
    fn take(&self) -> Option<(usize, u32)> {
        if let Some(again) = self
            .again
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
        {
            return Some(again);
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < self.links.len()).then_some((i, 0))
    }

    /// The next link with its permit (the batch's own limiter, or the fleet's); `None`
    /// when the queue is empty or the batch was cancelled (a link taken but not started
    /// then has no result).
    fn next_permitted(&self) -> Option<(usize, u32)> {
        if let Some(fleet) = &self.fleet {
            return self.next_leased(fleet);
        }
        let (index, requeues) = self.take()?;
        self.limiter
            .acquire(&self.links[index], &self.cancel)
            .then_some((index, requeues))
    }

    /// The pause for a 429 without a usable `Retry-After`: MoneyKit's 20 s, scaled.
    fn default_wait(&self) -> Duration {
        RATE_LIMIT_WAIT.div_f64(self.options.time_scale)
    }
}

fn worker(s: &Shared, tx: &SyncSender<BatchItem>) {
    let control = CallControl {
        deadline: None,
        cancel: Some(s.cancel.clone()),
    };
    let observer = |e: &Event<'_>| {
        s.counters.requests.fetch_add(1, Ordering::Relaxed);
        if e.http_status == Some(429) {
            s.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
            // The call waits `retry_wait` and tries again: so does everyone.
            if let Some(wait) = e.retry_wait {
                s.limiter.pause(wait);
            }
        }
    };
    while let Some((index, requeues)) = s.next_permitted() {
        let link = &s.links[index];
        s.counters.in_flight.fetch_add(1, Ordering::Relaxed);
        let result = match &s.fleet {
            Some(fleet) => {
                s.client
                    .get_identity_batched(link, &control, &observer, fleet.app_limit)
            }
            None => s
                .client
                .get_identity_observed(link, &[], &control, &observer),
        }
        .map(|identity| identity.body);
        s.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        if let Err(e) = &result {
            if e.status == Status::MkErrRateLimited
                && requeues < MAX_REQUEUES
                && !s.cancel.is_cancelled()
            {
                let wait = e
                    .retry_after_ms
                    .map_or_else(|| s.default_wait(), Duration::from_millis);
                s.limiter.pause(wait);
                let mut again = s.again.lock().unwrap_or_else(|p| p.into_inner());
                again.push_back((index, requeues + 1));
                continue;
            }
        }
        s.counters.finished(result.is_ok());
        let item = BatchItem {
            index,
            link_id: link.clone(),
            result,
        };
        if tx.send(item).is_err() {
            return; // the batch was dropped
        }
    }
}
