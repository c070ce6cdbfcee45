//! AFL++ entry of the `claim_match` target (fuzz/targets/src/claim_match.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::claim_match(data));
}
