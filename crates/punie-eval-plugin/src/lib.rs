//! Write a punie-eval query-pack plugin in Rust.
//!
//! ```ignore
//! use punie_eval_plugin::{export_plugin, Check};
//! use serde_json::{json, Value};
//!
//! fn pack() -> Result<Value, String> {
//!     Ok(json!({"pack": {"id": "mine", "version": "1", "toolset": "punie-phase27"},
//!               "query": [{"id": "q", "user": "Hi", "expect": "direct"}]}))
//! }
//! fn check(query_id: &str, verdict: &Value) -> Check { Check::skip() }
//!
//! export_plugin! {
//!     id: "mine", version: "1", description: "my pack",
//!     pack: pack,
//!     check: check, // optional
//! }
//! ```
//!
//! The macro exports the symbols of `plugins/include/punie_eval_plugin.h`.
//! Every call is wrapped in `catch_unwind`: a panic (or an `Err`) becomes an
//! in-band `{"error": …}` string, because unwinding into C is undefined.

use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

/// The ABI version this SDK implements (`PUNIE_PLUGIN_ABI_VERSION`).
pub const ABI_VERSION: u32 = 1;

pub use serde_json;

/// The outcome of a custom check for one query.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Pass(String),
    Fail(String),
    /// The plugin has no rule for this query.
    Skip,
}

impl Check {
    pub fn pass(message: impl Into<String>) -> Self {
        Self::Pass(message.into())
    }
    pub fn fail(message: impl Into<String>) -> Self {
        Self::Fail(message.into())
    }
    pub fn skip() -> Self {
        Self::Skip
    }
    fn to_json(&self) -> Value {
        match self {
            Self::Pass(m) => json!({"pass": true, "message": m}),
            Self::Fail(m) => json!({"pass": false, "message": m}),
            Self::Skip => json!({"pass": true, "message": "", "skip": true}),
        }
    }
}

/// Turns a value into a C string the host frees with `punie_plugin_free`.
/// Interior NULs cannot occur in serialized JSON (they are escaped).
fn into_raw(v: &Value) -> *mut c_char {
    match CString::new(v.to_string()) {
        Ok(c) => c.into_raw(),
        Err(_) => std::ptr::null_mut(),
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

fn error(message: String) -> *mut c_char {
    into_raw(&json!({ "error": message }))
}

#[doc(hidden)]
pub fn __manifest(
    cell: &'static OnceLock<CString>,
    id: &str,
    version: &str,
    description: &str,
) -> *const c_char {
    cell.get_or_init(|| {
        let text = json!({"id": id, "version": version, "description": description}).to_string();
        CString::new(text).unwrap_or_default()
    })
    .as_ptr()
}

#[doc(hidden)]
pub fn __pack(f: fn() -> Result<Value, String>) -> *mut c_char {
    match catch_unwind(f) {
        Ok(Ok(v)) => into_raw(&v),
        Ok(Err(e)) => error(e),
        Err(p) => error(format!("the plugin panicked: {}", panic_message(&*p))),
    }
}

#[doc(hidden)]
/// # Safety
/// `query_id` and `verdict` must be NUL-terminated strings or null.
pub unsafe fn __check(
    f: fn(&str, &Value) -> Check,
    query_id: *const c_char,
    verdict: *const c_char,
) -> *mut c_char {
    if query_id.is_null() || verdict.is_null() {
        return error("punie_plugin_check was given a null pointer".into());
    }
    // SAFETY: non-null, NUL-terminated per the ABI (the host passes CStrings).
    let (q, v) = unsafe { (CStr::from_ptr(query_id), CStr::from_ptr(verdict)) };
    let (Ok(q), Ok(v)) = (q.to_str(), v.to_str()) else {
        return error("punie_plugin_check was given text that is not UTF-8".into());
    };
    let verdict: Value = match serde_json::from_str(v) {
        Ok(v) => v,
        Err(e) => return error(format!("the verdict is not JSON: {e}")),
    };
    match catch_unwind(AssertUnwindSafe(|| f(q, &verdict))) {
        Ok(c) => into_raw(&c.to_json()),
        Err(p) => error(format!(
            "the check of query {q:?} panicked: {}",
            panic_message(&*p)
        )),
    }
}

#[doc(hidden)]
/// # Safety
/// `s` must come from this SDK's `into_raw` (or be null).
pub unsafe fn __free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: allocated by CString::into_raw in this library.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Exports a plugin: `id`, `version`, `description` (string literals),
/// `pack` (a `fn() -> Result<serde_json::Value, String>`), and optionally
/// `check` (a `fn(&str, &serde_json::Value) -> Check`).
#[macro_export]
macro_rules! export_plugin {
    (id: $id:expr, version: $version:expr, description: $desc:expr, pack: $pack:path $(, check: $check:path)? $(,)?) => {
        #[no_mangle]
        pub extern "C" fn punie_plugin_abi_version() -> u32 {
            $crate::ABI_VERSION
        }

        #[no_mangle]
        pub extern "C" fn punie_plugin_manifest() -> *const ::std::ffi::c_char {
            static CELL: ::std::sync::OnceLock<::std::ffi::CString> = ::std::sync::OnceLock::new();
            $crate::__manifest(&CELL, $id, $version, $desc)
        }

        #[no_mangle]
        pub extern "C" fn punie_plugin_pack() -> *mut ::std::ffi::c_char {
            $crate::__pack($pack)
        }

        /// # Safety
        /// `s` must be a string this plugin returned, or null.
        #[no_mangle]
        pub unsafe extern "C" fn punie_plugin_free(s: *mut ::std::ffi::c_char) {
            unsafe { $crate::__free(s) }
        }

        $(
        /// # Safety
        /// Both arguments must be NUL-terminated strings (or null).
        #[no_mangle]
        pub unsafe extern "C" fn punie_plugin_check(
            query_id: *const ::std::ffi::c_char,
            verdict_json: *const ::std::ffi::c_char,
        ) -> *mut ::std::ffi::c_char {
            unsafe { $crate::__check($check, query_id, verdict_json) }
        }
        )?
    };
}

/// Helpers for checks: the calls of a verdict.
pub mod verdict {
    use serde_json::Value;

    /// `(name, arguments)` of every call in the verdict.
    pub fn calls(verdict: &Value) -> Vec<(&str, &Value)> {
        verdict
            .get("calls")
            .and_then(Value::as_array)
            .map(|calls| {
                calls
                    .iter()
                    .filter_map(|c| {
                        Some((
                            c.get("name")?.as_str()?,
                            c.get("arguments").unwrap_or(&Value::Null),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The verdict kind (`tool_call`, `direct`, `malformed_call`, `promise`).
    pub fn kind(verdict: &Value) -> &str {
        verdict.get("kind").and_then(Value::as_str).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(p: *mut c_char) -> Value {
        assert!(!p.is_null());
        let v = serde_json::from_str(unsafe { CStr::from_ptr(p) }.to_str().unwrap()).unwrap();
        unsafe { __free(p) };
        v
    }

    fn panics() -> Result<Value, String> {
        panic!("boom")
    }

    #[test]
    fn panic_becomes_error_string() {
        let v = take(__pack(panics));
        assert_eq!(v["error"], "the plugin panicked: boom");
    }

    #[test]
    fn check_outcomes_and_null_inputs() {
        fn c(q: &str, _: &Value) -> Check {
            if q == "a" {
                Check::fail("nope")
            } else {
                panic!("bad {q}")
            }
        }
        let q = CString::new("a").unwrap();
        let v = CString::new("{\"kind\":\"direct\"}").unwrap();
        let out = take(unsafe { __check(c, q.as_ptr(), v.as_ptr()) });
        assert_eq!(out, json!({"pass": false, "message": "nope"}));
        let q2 = CString::new("b").unwrap();
        let out = take(unsafe { __check(c, q2.as_ptr(), v.as_ptr()) });
        assert!(out["error"].as_str().unwrap().contains("bad b"));
        let out = take(unsafe { __check(c, std::ptr::null(), v.as_ptr()) });
        assert!(out["error"].as_str().unwrap().contains("null"));
    }
}
