//! AFL++ entry of the `webhook_jwks` target (fuzz/targets/src/webhook_jwks.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::webhook_jwks(data));
}
