//! `moneykit`: the command-line tool (README.md, "Command-line tool").

fn main() {}
