//! AFL++ entry of the `sandbox_http` target (fuzz/targets/src/sandbox_http.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::sandbox_http(data));
}
