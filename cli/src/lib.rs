//! The library half of the `moneykit` command-line tool: its file formats, parsed
//! without I/O ([`files`]), so that tests and fuzz targets call them without a process.
//! The binary (`src/main.rs`) uses them; nothing else here is a stable API.

pub mod files;
