//! Leases that outlive their lease time (issue 28 item 2: "unused leased permits expire or
//! are returned"). A batch whose calls take longer than a lease lasts (5 % of the window)
//! leases permits it cannot start in time: they go back to Redis with the next round trip
//! (the lease shrinks), and those still held when the batch ends go back when it is freed.
//! So the fleet's window holds exactly the calls made, and every link is fetched once.

mod common;
mod coordination_common;

use common::redis::Redis;
use coordination_common::*;
use moneykit_sandbox::{Config, Sandbox};
use std::time::Duration;

#[test]
fn permits_not_started_within_their_lease_time_go_back_to_redis() {
    let redis = Redis::start();
    // A minute lasts 10 s, so a lease 0.5 s; every call takes 0.8 s (4.8 s scaled by 6).
    let sandbox = Sandbox::start(Config {
        time_scale: 6.0,
        latency: Some((Duration::from_millis(4800), Duration::ZERO)),
        ..Config::default()
    })
    .expect("sandbox starts");
    let c = coordinated(
        &sandbox.base_url(),
        Some(&redis.url()),
        r#""time_scale": 6"#,
    );
    let links = bulk(0, 6);
    // One worker: of a lease of two, the second permit waits a whole call (0.8 s) and
    // expires before it can start.
    let batch = Batch::start(&c, &links, r#"{"concurrency": 1}"#);
    let items = batch.drain(Duration::from_secs(60));
    drop(batch);
    assert_eq!(items.len(), links.len());
    for item in &items {
        assert_eq!(item.status, 0, "{item:?}");
    }
    for link in &links {
        assert_eq!(sandbox.link_stats(link).identity_requests, 1, "{link}");
    }
    // The batch took about 5 s, within one window (10.7 s): every permit granted is still
    // in it unless it was given back. Leased and expired permits were (the lease grew to
    // two at least twice), so the window holds exactly the calls made.
    let made = sandbox.stats().identity_requests;
    assert_eq!(made, links.len() as u64);
    assert_eq!(redis.cli(&["ZCARD", &app_key()]), made.to_string());
}
