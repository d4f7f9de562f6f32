//! Reply documents shaped like mongod's.

use bson::{Document, doc};

/// `{ok: 0, errmsg, code, codeName}`.
pub(crate) fn error(code: i32, code_name: &str, errmsg: &str) -> Document {
    doc! { "ok": 0.0, "errmsg": errmsg, "code": code, "codeName": code_name }
}
