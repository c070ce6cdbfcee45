//! The status codes every fallible call returns. The enum and its texts are
//! generated from schema/moneykit.json (`status_gen.rs`); this adds lookups.

pub use super::status_gen::Status;

impl Status {
    /// The status with this number, if any.
    pub fn from_code(code: i32) -> Option<Status> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Status::ALL.get(i).copied())
    }

    /// The number, as the C ABI returns it.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The C name, e.g. `"MK_ERR_NOT_FOUND"`.
    pub fn name(self) -> &'static str {
        self.texts().0
    }

    /// A one-line English description.
    pub fn describe(self) -> &'static str {
        self.texts().1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_and_round_trip() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.code(), i as i32);
            assert_eq!(Status::from_code(i as i32), Some(*s));
            assert!(s.name().starts_with("MK_"));
        }
        assert_eq!(Status::from_code(-1), None);
        assert_eq!(Status::from_code(14), Some(Status::MkErrCancelled));
        assert_eq!(Status::from_code(15), Some(Status::MkErrSignature));
        assert_eq!(Status::from_code(16), None);
    }
}
