//! libphonenumber's metadata, loaded one country calling code at a time.
//!
//! The `phonenumber` crate's default database builds every region's metadata on first use
//! (it checks the syntax of every pattern: about 60-90 ms, the whole cost of a first match
//! in a fresh process). The same metadata ships here (`data/phone_metadata.xml`: the XML the
//! crate's version is built from, comments left out; Apache-2.0, see DATA-NOTICE.md), and a
//! `phonenumber::metadata::Database` is built for one calling code when a number of that code
//! is first parsed (all the regions that share it: +1 is the US, Canada and 23 others): well
//! under a millisecond for most codes, a few for +1. The databases are kept for the process.

use once_cell::sync::Lazy;
use phonenumber::country::Id;
use phonenumber::metadata::{loader, Database};
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

const XML: &str = include_str!("data/phone_metadata.xml");

/// Per calling code, the byte ranges of its `<territory>` elements; per region, its code.
struct Index {
    by_code: HashMap<u16, Vec<(usize, usize)>>,
    by_region: HashMap<&'static str, u16>,
}

/// The value of attribute `name` in an element's start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

static INDEX: Lazy<Index> = Lazy::new(|| {
    let mut index = Index {
        by_code: HashMap::new(),
        by_region: HashMap::new(),
    };
    let mut from = 0;
    while let Some(i) = XML[from..].find("<territory ") {
        let start = from + i;
        let Some(tag_len) = XML[start..].find('>') else {
            break;
        };
        let tag = &XML[start..start + tag_len];
        let end = match XML[start..].find("</territory>") {
            Some(e) => start + e + "</territory>".len(),
            None => break,
        };
        if let (Some(id), Some(code)) = (attr(tag, "id"), attr(tag, "countryCode")) {
            if let Ok(code) = code.parse::<u16>() {
                index.by_code.entry(code).or_default().push((start, end));
                index.by_region.entry(id).or_insert(code);
            }
        }
        from = end;
    }
    index
});

/// The calling code of a region.
pub fn region_code(region: Id) -> Option<u16> {
    let id: &str = region.as_ref();
    INDEX.by_region.get(id).copied()
}

/// The calling code that `digits` (after the "+") start with: codes are prefix-free.
pub fn code_of(digits: &str) -> Option<u16> {
    (1..=3.min(digits.len())).find_map(|n| {
        let code: u16 = digits[..n].parse().ok()?;
        INDEX.by_code.contains_key(&code).then_some(code)
    })
}

type Cache = Mutex<HashMap<u16, Arc<Database>>>;
static DATABASES: Lazy<Cache> = Lazy::new(|| Mutex::new(HashMap::new()));

/// The database of every region with calling code `code`; `None` for an unknown code.
pub fn database(code: u16) -> Option<Arc<Database>> {
    if let Some(db) = DATABASES.lock().ok()?.get(&code) {
        return Some(db.clone());
    }
    let spans = INDEX.by_code.get(&code)?;
    let mut xml = String::from("<phoneNumberMetadata><territories>");
    for (a, b) in spans {
        xml.push_str(&XML[*a..*b]);
    }
    xml.push_str("</territories></phoneNumberMetadata>");
    let meta = loader::load(Cursor::new(xml.as_bytes())).ok()?;
    let db = Arc::new(Database::from(meta).ok()?);
    let mut cache = DATABASES.lock().ok()?;
    Some(cache.entry(code).or_insert(db).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_per_code() {
        assert_eq!(region_code(Id::US), Some(1));
        assert_eq!(region_code(Id::DE), Some(49));
        assert_eq!(code_of("4915123456789"), Some(49));
        assert_eq!(code_of("16175551212"), Some(1));
        assert_eq!(code_of("99"), None);
        let db = database(1).unwrap();
        assert!(db.by_id("US").is_some() && db.by_id("CA").is_some());
        assert!(db.by_id("GB").is_none());
        assert!(INDEX.by_code.len() > 200);
    }
}
