//! A batch's permits with coordination (`coordination_url`; core::coordination): instead
//! of the process's own limiter, the fleet's budget in Redis. One worker at a time leases
//! permits for the next links of the queue in one round trip; the others take the leased
//! links as they come free. The lease size follows the batch's own pace: it doubles while
//! every leased permit is used in time (up to `coordination_lease_max`) and halves when
//! one expires unused. A permit not started within its lease time (5 % of the window) goes
//! back to Redis with the next round trip and its link back to the front of the queue.
//! When Redis is down, links go one at a time through the local share
//! (`coordination_fallback_share`), and leasing resumes when Redis is back.

use super::Shared;
use crate::core::coordination::{Coordinator, Permits};
use crate::core::events::Event;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest sleep between looks at the cancel token.
const SLICE: Duration = Duration::from_millis(20);

pub(super) struct Fleet {
    coordinator: Arc<Coordinator>,
    /// The batch's app limit in Redis: the budget less the single calls' reserve, at most
    /// the batch's own `app_per_minute`.
    pub(super) app_limit: u32,
    minute: Duration,
    lease_time: Duration,
    leases: Mutex<Leases>,
    /// Held by the one worker making a round trip.
    leasing: Mutex<()>,
}

struct Leases {
    ready: VecDeque<Leased>,
    /// Members of permits that expired unused, released with the next round trip.
    expired: Vec<String>,
    size: u32,
}

struct Leased {
    index: usize,
    requeues: u32,
    member: String,
    until: Instant,
}

impl Fleet {
    pub(super) fn new(
        coordinator: Arc<Coordinator>,
        batch_app_per_minute: u32,
        minute: Duration,
    ) -> Fleet {
        Fleet {
            app_limit: coordinator.batch_limit(batch_app_per_minute),
            lease_time: Coordinator::lease_time(minute),
            coordinator,
            minute,
            leases: Mutex::new(Leases {
                ready: VecDeque::new(),
                expired: Vec::new(),
                size: 1,
            }),
            leasing: Mutex::new(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Leases> {
        self.leases.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Gives back every permit still leased (the batch ended or was cancelled).
    pub(super) fn release_all(&self, report: &dyn Fn(&Event<'_>)) {
        let members: Vec<String> = {
            let mut l = self.lock();
            let mut m: Vec<String> = l.ready.drain(..).map(|r| r.member).collect();
            m.append(&mut l.expired);
            m
        };
        if !members.is_empty() {
            let _ = self.coordinator.acquire(
                &[],
                &members,
                false,
                self.app_limit,
                self.minute,
                None,
                report,
            );
        }
    }
}

impl Shared {
    /// The next link with a fleet permit, or `None` when the queue is empty or the batch
    /// was cancelled.
    pub(super) fn next_leased(&self, fleet: &Fleet) -> Option<(usize, u32)> {
        let report = |e: &Event<'_>| self.client.report_coordination(e);
        loop {
            if self.cancel.is_cancelled() {
                return None;
            }
            if let Some(p) = self.limiter.paused_for() {
                std::thread::sleep(p.min(SLICE));
                continue;
            }
            if let Some(got) = self.pop_ready(fleet) {
                return Some(got);
            }
            let _leasing = fleet.leasing.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(got) = self.pop_ready(fleet) {
                return Some(got);
            }
            let size = fleet.lock().size as usize;
            let mut taken = Vec::with_capacity(size);
            while taken.len() < size {
                match self.take() {
                    Some(t) => taken.push(t),
                    None => break,
                }
            }
            if taken.is_empty() {
                return None;
            }
            let links: Vec<&str> = taken.iter().map(|(i, _)| self.links[*i].as_str()).collect();
            let release = std::mem::take(&mut fleet.lock().expired);
            let answer = fleet.coordinator.acquire(
                &links,
                &release,
                true,
                fleet.app_limit,
                fleet.minute,
                None,
                &report,
            );
            let Permits::Answered(answers) = answer else {
                // Redis is down: this link through the local share, the rest back in line.
                fleet.lock().expired.extend(release);
                let first = taken.remove(0);
                self.put_back(taken);
                drop(_leasing);
                let local = fleet.coordinator.fallback_limiter(fleet.minute);
                return local
                    .acquire(&self.links[first.0], &self.cancel)
                    .then_some(first);
            };
            let until = Instant::now() + fleet.lease_time;
            let mut refused = Vec::new();
            let mut wait: Option<Duration> = None;
            {
                let mut l = fleet.lock();
                for ((index, requeues), answer) in taken.into_iter().zip(answers) {
                    match answer {
                        Ok(member) => l.ready.push_back(Leased {
                            index,
                            requeues,
                            member,
                            until,
                        }),
                        Err(w) => {
                            refused.push((index, requeues));
                            wait = Some(wait.map_or(w, |m| m.min(w)));
                        }
                    }
                }
                if refused.is_empty() {
                    l.size = (l.size * 2).min(fleet.coordinator.lease_max());
                }
            }
            let none_granted = refused.len() == links.len();
            self.put_back(refused);
            if none_granted {
                // The fleet's window is full: wait (holding the lease, so the other
                // workers wait too) until Redis says it has room.
                if let Some(w) = wait {
                    if !self.sleep(w) {
                        return None;
                    }
                }
            }
        }
    }

    /// A leased link whose permit is still good; expired ones go back to the queue.
    fn pop_ready(&self, fleet: &Fleet) -> Option<(usize, u32)> {
        let now = Instant::now();
        let mut stale = Vec::new();
        let got = {
            let mut l = fleet.lock();
            let mut got = None;
            while let Some(r) = l.ready.pop_front() {
                if r.until > now {
                    got = Some((r.index, r.requeues));
                    break;
                }
                stale.push((r.index, r.requeues));
                l.expired.push(r.member);
                l.size = (l.size / 2).max(1);
            }
            got
        };
        self.put_back(stale);
        got
    }

    /// Puts links back at the front of the queue, in their order.
    fn put_back(&self, links: Vec<(usize, u32)>) {
        if links.is_empty() {
            return;
        }
        let mut again = self.again.lock().unwrap_or_else(|p| p.into_inner());
        for l in links.into_iter().rev() {
            again.push_front(l);
        }
    }

    /// Sleeps `wait` in slices that look at the cancel token; false when cancelled.
    fn sleep(&self, wait: Duration) -> bool {
        let end = Instant::now() + wait;
        loop {
            if self.cancel.is_cancelled() {
                return false;
            }
            let now = Instant::now();
            if now >= end {
                return true;
            }
            std::thread::sleep((end - now).min(SLICE));
        }
    }
}
