//! For the coordination tests (issue 28): batches and the event callback through the C
//! ABI, and clients that share one Redis. Used next to `common` (`mod common;` first).
#![allow(dead_code)]

use crate::common::*;
use moneykit::ffi::*;
use serde_json::Value;
use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `mk:{<first 16 hex digits of SHA-256 of the client id>}:` (docs: the key layout).
pub fn prefix() -> String {
    let h = ring::digest::digest(&ring::digest::SHA256, ID.as_bytes());
    let hex: String = h.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("mk:{{{hex}}}:")
}

/// The app's window key of [`ID`].
pub fn app_key() -> String {
    format!("{}app", prefix())
}

/// `mk_sandbox_bulk_<from>` .. `mk_sandbox_bulk_<from + n - 1>`.
pub fn bulk(from: usize, n: usize) -> Vec<String> {
    (from..from + n)
        .map(|i| format!("mk_sandbox_bulk_{i}"))
        .collect()
}

/// A client through `mk_client_new` for `base_url` (client id and secret of the sandbox),
/// coordinated through `redis_url` when given, with `extra` options (a JSON object's inner
/// text) over those.
pub fn coordinated(base_url: &str, redis_url: Option<&str>, extra: &str) -> Client {
    let mut o = serde_json::json!({"base_url": base_url, "retry_base_ms": 10});
    if let Some(url) = redis_url {
        o["coordination_url"] = url.into();
    }
    let extra: Value = serde_json::from_str(&format!("{{{extra}}}")).unwrap();
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    try_client(Some(ID), Some(SECRET), &o.to_string()).unwrap_or_else(|e| panic!("client: {e:?}"))
}

/// A batch owned by the test (freed on drop).
pub struct Batch(*mut MkBatch);
// SAFETY: the C API allows next/progress/cancel from any thread (next from one at a time).
unsafe impl Send for Batch {}
// SAFETY: as above.
unsafe impl Sync for Batch {}

impl Drop for Batch {
    fn drop(&mut self) {
        // SAFETY: freed once; no other call on it runs (the test owns it).
        unsafe { mk_batch_free(self.0) }
    }
}

/// One result of a batch.
#[derive(Debug)]
pub struct Item {
    pub index: usize,
    pub link_id: String,
    pub status: i32,
    pub error: Option<Value>,
}

impl Batch {
    /// `mk_batch_start` on `c`; panics if it is refused.
    pub fn start(c: &Client, links: &[String], options: &str) -> Batch {
        let ids: Vec<CString> = links
            .iter()
            .map(|l| CString::new(l.as_str()).unwrap())
            .collect();
        let ptrs: Vec<*const c_char> = ids.iter().map(|s| s.as_ptr()).collect();
        let opts = CString::new(options).unwrap();
        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: a live client; valid id array, options and out pointers.
        let rc = unsafe {
            mk_batch_start(
                c.raw(),
                ptrs.as_ptr(),
                ptrs.len(),
                opts.as_ptr(),
                &mut batch,
                &mut err,
            )
        };
        assert_eq!(rc, 0, "mk_batch_start: {:?}", take(err));
        Batch(batch)
    }

    /// (return code, item when MK_OK); the body is freed unread.
    pub fn next(&self, timeout_ms: u64) -> (i32, Option<Item>) {
        let mut item = MkBatchItem {
            index: 0,
            link_id: ptr::null_mut(),
            status: 0,
            json: ptr::null_mut(),
            error: ptr::null_mut(),
        };
        // SAFETY: a live batch and a valid item to write.
        let rc = unsafe { mk_batch_next(self.0, timeout_ms, &mut item, ptr::null_mut()) };
        let (link, json, error) = (take(item.link_id), take(item.json), take(item.error));
        if rc != 0 {
            return (rc, None);
        }
        assert_eq!(json.is_some(), item.status == 0);
        let item = Item {
            index: item.index,
            link_id: link.expect("a link id"),
            status: item.status,
            error: error.map(|e| serde_json::from_str(&e).unwrap()),
        };
        (0, Some(item))
    }

    /// Every result, until the batch is done; panics after `limit`.
    pub fn drain(&self, limit: Duration) -> Vec<Item> {
        let end = Instant::now() + limit;
        let mut items = Vec::new();
        loop {
            assert!(Instant::now() < end, "batch not done within {limit:?}");
            match self.next(200) {
                (0, Some(item)) => items.push(item),
                (MK_BATCH_PENDING, _) => {}
                (MK_BATCH_DONE, _) => return items,
                other => panic!("mk_batch_next: {other:?}"),
            }
        }
    }

    pub fn progress(&self) -> MkBatchProgress {
        // SAFETY: MkBatchProgress is plain old data; all zeroes is a valid value.
        let mut p: MkBatchProgress = unsafe { std::mem::zeroed() };
        // SAFETY: a live batch and a valid out pointer.
        let rc = unsafe { mk_batch_get_progress(self.0, &mut p, ptr::null_mut()) };
        assert_eq!(rc, 0);
        p
    }

    pub fn cancel(&self) {
        // SAFETY: a live batch.
        unsafe { mk_batch_cancel(self.0) }
    }
}

/// One event as the callback saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub http_status: i32,
    pub status: i32,
    pub elapsed_ms: u64,
    pub retry_wait_ms: i64,
}

impl Seen {
    pub fn is_coordination(&self) -> bool {
        self.method == "REDIS"
    }
}

/// The events of one client, recorded by `mk_client_set_event_callback`.
pub struct Events(Mutex<Vec<Seen>>);

unsafe extern "C" fn record(user: *mut c_void, e: *const MkEvent) {
    // SAFETY: `user` is the `Events` registered by `Events::on`, alive while the client is;
    // `e` is valid during the callback.
    let (events, e) = unsafe { (&*(user as *const Events), &*e) };
    // SAFETY: an event's method and path are NUL-terminated strings valid during the call.
    let text = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    let seen = Seen {
        method: text(e.method),
        path: text(e.path),
        http_status: e.http_status,
        status: e.status,
        elapsed_ms: e.elapsed_ms,
        retry_wait_ms: e.retry_wait_ms,
    };
    events.0.lock().unwrap().push(seen);
}

impl Events {
    /// Records every event of `c` from now on. The box must outlive every call on `c`
    /// (drop the client first).
    pub fn on(c: &Client) -> Box<Events> {
        Events::on_raw(c.raw())
    }

    /// As [`Events::on`], for a client pointer of another wrapper (it must be live).
    pub fn on_raw(c: *mut MkClient) -> Box<Events> {
        let events = Box::new(Events(Mutex::new(Vec::new())));
        let user = &*events as *const Events as *mut c_void;
        // SAFETY: a live client; the callback and `events` outlive every call on it.
        let rc = unsafe { mk_client_set_event_callback(c, Some(record), user, ptr::null_mut()) };
        assert_eq!(rc, 0);
        events
    }

    pub fn all(&self) -> Vec<Seen> {
        self.0.lock().unwrap().clone()
    }

    /// The coordination events (method `REDIS`) so far.
    pub fn coordination(&self) -> Vec<Seen> {
        self.all()
            .into_iter()
            .filter(Seen::is_coordination)
            .collect()
    }
}

/// `mk_get_identity` of `link` on `c`, and how long it took.
pub fn timed_identity(c: &Client, link: &str) -> (Outcome, Duration) {
    let t = Instant::now();
    let out = c.identity(link, &[]);
    (out, t.elapsed())
}

/// A batch whose results a thread of its own takes as they come (a batch waits for its
/// reader). Dropping it cancels the batch and joins the thread, so declare it after the
/// client: the batch then ends before the client is freed, also when a test fails.
pub struct Reading {
    batch: std::sync::Arc<Batch>,
    reader: Option<std::thread::JoinHandle<Vec<Item>>>,
}

impl Reading {
    pub fn start(c: &Client, links: &[String], options: &str) -> Reading {
        let batch = std::sync::Arc::new(Batch::start(c, links, options));
        let b = std::sync::Arc::clone(&batch);
        let reader = std::thread::spawn(move || b.drain(Duration::from_secs(60)));
        Reading {
            batch,
            reader: Some(reader),
        }
    }

    pub fn progress(&self) -> MkBatchProgress {
        self.batch.progress()
    }

    /// Cancels the batch and returns the results it made.
    pub fn cancel(mut self) -> Vec<Item> {
        self.batch.cancel();
        let reader = self.reader.take().unwrap();
        reader.join().expect("the reader ends with the batch")
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        self.batch.cancel();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}
