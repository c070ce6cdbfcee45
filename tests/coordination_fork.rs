//! A client made before `fork()` (a pre-forking server loading the app once): the child
//! never talks on its parent's Redis connections and never reuses its parent's permit
//! names, which Redis would count once. Its own test binary: the child of a fork runs only
//! the forking thread, so nothing else of the test harness should be running.

mod common;
mod coordination_common;

use common::redis::Redis;
use coordination_common::*;
use moneykit::core::Status;
use moneykit_sandbox::{Config, Sandbox};

#[test]
fn a_forked_child_takes_permits_of_its_own() {
    let redis = Redis::start();
    let sandbox = Sandbox::start(Config::default()).expect("sandbox starts");
    let c = coordinated(&sandbox.base_url(), Some(&redis.url()), "");
    // The parent has a pooled Redis connection and has named permits before the fork.
    c.identity("mk_sandbox_ok", &[]).assert_status(Status::MkOk);
    let links = bulk(0, 6);
    // SAFETY: fork in a test binary with this one test; the child makes its calls and
    // leaves with _exit, running no destructor of the parent's state.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok = links[..3]
            .iter()
            .all(|l| c.identity(l, &[]).status == Status::MkOk as i32);
        // SAFETY: ends the child at once, as after any fork.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let mut wstatus = 0;
    // SAFETY: waits for the child just forked.
    assert_eq!(unsafe { libc::waitpid(pid, &mut wstatus, 0) }, pid);
    assert!(
        libc::WIFEXITED(wstatus) && libc::WEXITSTATUS(wstatus) == 0,
        "child failed"
    );
    for l in &links[3..] {
        c.identity(l, &[]).assert_status(Status::MkOk);
    }
    // One permit per call, from both processes: none merged by a repeated name.
    assert_eq!(sandbox.stats().identity_requests, 7);
    assert_eq!(redis.cli(&["ZCARD", &app_key()]), "7");
}
