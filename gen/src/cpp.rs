//! The cpp emitter (see main.rs).

use crate::out::Out;
use crate::schema::Schema;

pub fn emit(_s: &Schema, _out: &mut Out) {}
