//! `identity_shapes`: the `identity` target's invariants on bodies built by structural
//! mutations of valid ones, which byte-level mutation rarely reaches.
//!
//! Why a second identity target: AFL++ flips and splices bytes, and a change of shape such
//! as "this object becomes the array of its field values, in the schema's order" (which
//! serde's derive accepts for a struct: issue 23 finding 1, the view builder then panicked)
//! needs several coordinated edits at once. Here the input only chooses: one byte a valid
//! body from `tests/corpus/` (those the validator accepts, read at run time), then up to
//! four 3-byte mutations: a node (2 bytes, modulo the number of nodes, in document order)
//! and what to do with it (1 byte: see [`mutate`]). The result, serialized by serde_json
//! (keys sorted, no duplicates: the byte-level target has those), goes through
//! [`crate::identity`], so every invariant of that target applies.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Mutations applied per input at most.
const MAX_MUTATIONS: usize = 4;

/// The `identity_shapes` target.
pub fn identity_shapes(data: &[u8]) {
    if let Some(body) = shape_body(data) {
        crate::identity(body.as_bytes());
    }
}

/// The body an `identity_shapes` input makes (`None` for an empty input), e.g. to keep a
/// finding as a `fuzz/regressions/identity/` file: the input alone depends on
/// `tests/corpus/`, the body does not.
pub fn shape_body(data: &[u8]) -> Option<String> {
    let [pick, ref ops @ ..] = *data else {
        return None;
    };
    let bodies = bodies();
    let mut body = bodies[usize::from(pick) % bodies.len()].clone();
    for op in ops.chunks_exact(3).take(MAX_MUTATIONS) {
        let node = usize::from(u16::from_le_bytes([op[0], op[1]]));
        mutate(&mut body, node, op[2]);
    }
    Some(serde_json::to_string(&body).expect("a Value serializes"))
}

/// The valid bodies of `tests/corpus/` (sorted by name; refused ones left out).
pub(crate) fn bodies() -> &'static [Value] {
    static BODIES: OnceLock<Vec<Value>> = OnceLock::new();
    BODIES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.ends_with(".json") && !name.ends_with(".expected.json")
            })
            .collect();
        files.sort();
        let bodies: Vec<Value> = files
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .filter(|b| moneykit::core::validate_identity(b).is_ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect();
        assert!(!bodies.is_empty(), "no valid body in {}", dir.display());
        bodies
    })
}

/// The schema's objects: name → fields (name, type) in the schema's order.
fn schema() -> &'static HashMap<String, Vec<(String, String)>> {
    static OBJECTS: OnceLock<HashMap<String, Vec<(String, String)>>> = OnceLock::new();
    OBJECTS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/moneykit.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        let objects = schema["objects"].as_object().expect("schema objects");
        objects
            .iter()
            .map(|(name, o)| {
                let fields = o["fields"]
                    .as_array()
                    .expect("fields")
                    .iter()
                    .map(|f| {
                        let s = |k: &str| f[k].as_str().expect("field name and type").to_string();
                        (s("name"), s("type"))
                    })
                    .collect();
                (name.clone(), fields)
            })
            .collect()
    })
}

/// One step from a node to a child.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The number of nodes of `v` (itself included).
fn count(v: &Value) -> usize {
    1 + match v {
        Value::Object(members) => members.values().map(count).sum(),
        Value::Array(items) => items.iter().map(count).sum(),
        _ => 0,
    }
}

/// The schema type of member `key` of a node of type `ty` (`None`: the schema does not say).
fn child_type(ty: Option<&str>, key: Option<&str>) -> Option<String> {
    let ty = ty?;
    if let Some(elem) = ty.strip_prefix("list:").or_else(|| ty.strip_prefix("map:")) {
        // A list's items, a map's values.
        let is_list = ty.starts_with("list:");
        return (is_list == key.is_none()).then(|| elem.to_string());
    }
    let fields = schema().get(ty)?;
    let key = key?;
    fields
        .iter()
        .find(|(n, _)| n == key)
        .map(|(_, t)| t.clone())
}

/// The path and schema type of node number `n` of `v` in document order (`n` < `count(v)`).
fn nth(v: &Value, ty: Option<String>, mut n: usize) -> (Vec<Step>, Option<String>) {
    let mut path = Vec::new();
    let (mut v, mut ty) = (v, ty);
    'down: while n > 0 {
        n -= 1; // past `v` itself
        let children: Vec<(Step, &Value)> = match v {
            Value::Object(m) => m.iter().map(|(k, x)| (Step::Key(k.clone()), x)).collect(),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, x)| (Step::Index(i), x))
                .collect(),
            _ => unreachable!("n < count"),
        };
        for (step, child) in children {
            let size = count(child);
            if n < size {
                let key = match &step {
                    Step::Key(k) => Some(k.as_str()),
                    Step::Index(_) => None,
                };
                ty = child_type(ty.as_deref(), key);
                path.push(step);
                v = child;
                continue 'down;
            }
            n -= size;
        }
        unreachable!("n < count");
    }
    (path, ty)
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// A key that a message must never quote (not short snake_case) and a value that must never
/// appear in one.
const PLANTED_KEY: &str = "Owner Name: Jane Q. Public";
const PLANTED_VALUE: &str = "Jane Q. Public <jane.public@example.com>";

/// Applies mutation `op` to node number `node` (modulo the node count) of `body`:
/// 0 the object as the array of its values in the schema's field order (absent: null), or
/// in key order when the schema does not know it; 1 null; 2 `{}`; 3 `[]`; 4 a planted string;
/// 5 `0`; 6 `true`; 7 wrapped in an array; 8 removed from its parent; 9 a copy added
/// (arrays: appended; objects: under the planted key); 10 its member key renamed to the
/// planted key; 11 an impossible date; 12 a large or tiny number; 13 an object holding the
/// planted key and value.
fn mutate(body: &mut Value, node: usize, op: u8) {
    let n = node % count(body);
    let (path, ty) = nth(body, Some("IdentityResponse".to_string()), n);
    let target = at(body, &path);
    match op % 14 {
        0 => {
            if let Value::Object(members) = target {
                let order: Vec<String> = match ty.as_deref().and_then(|t| schema().get(t)) {
                    Some(fields) => fields.iter().map(|(n, _)| n.clone()).collect(),
                    None => members.keys().cloned().collect(),
                };
                let values = order
                    .iter()
                    .map(|k| members.get(k).cloned().unwrap_or(Value::Null))
                    .collect();
                *target = Value::Array(values);
            }
        }
        1 => *target = Value::Null,
        2 => *target = Value::Object(Map::new()),
        3 => *target = Value::Array(Vec::new()),
        4 => *target = Value::from(PLANTED_VALUE),
        5 => *target = Value::from(0),
        6 => *target = Value::Bool(true),
        7 => *target = Value::Array(vec![target.take()]),
        8 | 10 => {
            let Some((last, parent_path)) = path.split_last() else {
                return;
            };
            let parent = at(body, parent_path);
            match (parent, last) {
                (Value::Object(m), Step::Key(k)) => {
                    let v = m.remove(k);
                    if let (10, Some(v)) = (op % 14, v) {
                        m.insert(PLANTED_KEY.to_string(), v);
                    }
                }
                (Value::Array(a), Step::Index(i)) if op % 14 == 8 => {
                    a.remove(*i);
                }
                _ => {}
            }
        }
        9 => match target {
            Value::Array(items) => {
                let copy = items.first().cloned().unwrap_or(Value::Null);
                items.push(copy);
            }
            Value::Object(m) => {
                let copy = Value::Object(m.clone());
                m.insert(PLANTED_KEY.to_string(), copy);
            }
            _ => {}
        },
        11 => *target = Value::from("2023-02-30T25:61:00+24:00"),
        12 => *target = Value::from(if node % 2 == 0 { 1e300 } else { -5e-324 }),
        _ => {
            let mut m = Map::new();
            m.insert(PLANTED_KEY.to_string(), Value::from(PLANTED_VALUE));
            *target = Value::Object(m);
        }
    }
}
