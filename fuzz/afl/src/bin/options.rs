//! AFL++ entry of the `options` target (fuzz/targets/src/options.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::options(data));
}
