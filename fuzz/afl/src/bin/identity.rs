//! AFL++ entry of the `identity` target (fuzz/targets/src/identity.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::identity(data));
}
