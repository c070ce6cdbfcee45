//! AFL++ entry of the `webhook_event` target (fuzz/targets/src/webhook_event.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::webhook_event(data));
}
