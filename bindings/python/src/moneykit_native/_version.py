"""The package version; kept equal to the Rust crate's (the wheel bundles that library)."""

__version__ = "0.1.0"
