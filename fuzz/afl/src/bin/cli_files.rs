//! AFL++ entry of the `cli_files` target (fuzz/targets/src/cli_files.rs has its invariants).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::cli_files(data));
}
