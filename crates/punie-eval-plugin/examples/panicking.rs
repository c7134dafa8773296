//! A plugin whose pack function panics. punie-eval's tests load it to check
//! that the SDK catches the panic at the C boundary and the loader reports
//! it as an error naming this file (no unwinding into C, no crash).

use punie_eval_plugin::export_plugin;
use serde_json::Value;

fn pack() -> Result<Value, String> {
    let queries: Vec<Value> = Vec::new();
    // Index out of bounds: a bug in plugin code, caught by the SDK.
    Ok(queries[3].clone())
}

export_plugin! {
    id: "panicking",
    version: "0.0.0",
    description: "panics when asked for its pack (a test fixture)",
    pack: pack,
}
