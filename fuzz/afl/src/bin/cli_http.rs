//! AFL++ entry of the `cli_http` target (fuzz/targets/src/cli_http.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::cli_http(data));
}
