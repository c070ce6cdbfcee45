//! The library half of the `moneykit` command-line tool: its file formats ([`files`],
//! [`credentials`]), the check of `--coordination`'s URL ([`coordination`]), the webhook
//! listener's request parser ([`http`]) and the summary's wording ([`summary`]), pure
//! functions without I/O, so that tests and fuzz targets call
//! them without a process. The binary (`src/main.rs`) uses them; nothing else here is a
//! stable API.

pub mod coordination;
pub mod credentials;
pub mod files;
pub mod http;
pub mod summary;
