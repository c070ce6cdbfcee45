//! AFL++ entry of the `identity_shapes` target (fuzz/targets/src/identity_shapes.rs).
fn main() {
    moneykit_fuzz::warm_up();
    afl::fuzz!(|data: &[u8]| moneykit_fuzz::identity_shapes(data));
}
