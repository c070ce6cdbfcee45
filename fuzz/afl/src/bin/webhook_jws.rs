//! AFL++ entry of the `webhook_jws` target (fuzz/targets/src/webhook_jws.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::webhook_jws(data));
}
