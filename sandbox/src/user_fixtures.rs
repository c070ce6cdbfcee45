//! `moneykit-sandbox --fixtures DIR`: serve your own identities. Every
//! `DIR/<link_id>.json` is served as `<link_id>`'s Get Identity body (before the
//! magic ids, so a file may also shadow one). Each file is checked at start-up by
//! the same validator the client runs, so a fixture the client would refuse is
//! a clear start-up error naming the file, not a puzzling test failure later.

use std::collections::HashMap;
use std::path::Path;

/// Link id -> body, as read from `dir`.
pub fn load(dir: &Path) -> Result<HashMap<String, Vec<u8>>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = HashMap::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let Some(link_id) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        if link_id.is_empty() || link_id.ends_with(".expected") {
            continue;
        }
        let body = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        moneykit::core::validate_identity(&body).map_err(|problem| {
            format!(
                "{}: not a Get Identity body the client accepts: {problem}",
                path.display()
            )
        })?;
        out.insert(link_id.to_string(), body);
    }
    if out.is_empty() {
        return Err(format!("{}: no <link_id>.json files", dir.display()));
    }
    Ok(out)
}
