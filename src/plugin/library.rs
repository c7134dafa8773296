//! One loaded plugin: the library, its manifest, the pack text it handed
//! over, and its optional custom check. Everything crossing the boundary is
//! checked (null pointers, UTF-8, JSON, shape) and copied into Rust-owned
//! memory before the plugin's `free` releases it.

use super::abi::{
    AbiVersionFn, CheckFn, FreeFn, ManifestFn, PackFn, ABI_VERSION, SYM_ABI_VERSION, SYM_CHECK,
    SYM_FREE, SYM_MANIFEST, SYM_PACK,
};
use super::error::PluginError;
use super::manifest::Manifest;
use crate::parse::Verdict;
use libloading::Library;
use serde_json::Value;
use std::ffi::{c_char, CStr, CString};
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};

const CHECK_SHAPE: &str = "{\"pass\": true|false, \"message\": \"…\"} (or {\"error\": \"…\"})";

/// The result of a plugin's custom check for one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    pub pass: bool,
    pub message: String,
}

pub struct Plugin {
    path: PathBuf,
    manifest: Manifest,
    pack_text: String,
    free: FreeFn,
    check: Option<CheckFn>,
    /// Never unloaded: a Rust plugin may have registered thread-local
    /// destructors that would point into unmapped code after `dlclose`.
    _lib: ManuallyDrop<Library>,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("path", &self.path)
            .field("manifest", &self.manifest)
            .field("has_check", &self.check.is_some())
            .finish()
    }
}

/// A required symbol, copied out as a plain function pointer (valid for as
/// long as the library stays loaded, which is forever).
fn required<T: Copy>(lib: &Library, path: &Path, name: &'static str) -> Result<T, PluginError> {
    optional(lib, name).ok_or_else(|| PluginError::MissingSymbol {
        path: path.to_path_buf(),
        symbol: name,
    })
}

fn optional<T: Copy>(lib: &Library, name: &'static str) -> Option<T> {
    // SAFETY: the type is the one the ABI header declares for this name;
    // a plugin exporting the name with another signature breaks the ABI.
    unsafe { lib.get::<T>(name.as_bytes()).ok().map(|s| *s) }
}

impl Plugin {
    /// Loads a plugin file: ABI version, manifest, pack text, symbols.
    pub fn load(path: &Path) -> Result<Self, PluginError> {
        let shown = path.to_path_buf();
        // A path without a separator would be searched for on the library
        // path; the user named a file, so load exactly that file.
        let file = if path.components().count() == 1 {
            Path::new(".").join(path)
        } else {
            path.to_path_buf()
        };
        if !file.is_file() {
            return Err(PluginError::NotALibrary {
                path: shown,
                reason: "no such file".into(),
            });
        }
        // SAFETY: loading runs the library's initialisers. Loading is
        // explicit: only files the user named are loaded.
        let lib = unsafe { Library::new(&file) }.map_err(|e| PluginError::NotALibrary {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let abi: AbiVersionFn = required(&lib, &shown, SYM_ABI_VERSION)?;
        // SAFETY: declared `uint32_t (void)` by the ABI.
        let found = unsafe { abi() };
        if found != ABI_VERSION {
            return Err(PluginError::AbiVersion {
                path: shown,
                found,
                expected: ABI_VERSION,
            });
        }
        let manifest_fn: ManifestFn = required(&lib, &shown, SYM_MANIFEST)?;
        let pack_fn: PackFn = required(&lib, &shown, SYM_PACK)?;
        let free: FreeFn = required(&lib, &shown, SYM_FREE)?;
        let check: Option<CheckFn> = optional(&lib, SYM_CHECK);

        // SAFETY: the ABI says the manifest is a static NUL-terminated
        // string (or null, which `text_of` rejects); we do not free it.
        let manifest_text = unsafe { text_of(&shown, SYM_MANIFEST, manifest_fn()) }?;
        let manifest = Manifest::read(&shown, &manifest_text)?;

        // SAFETY: `punie_plugin_pack` returns an allocation (or null) that
        // we copy and hand back to the plugin's own `free`.
        let pack_text = unsafe { take(&shown, SYM_PACK, pack_fn(), free) }?;
        Ok(Self {
            path: shown,
            manifest,
            pack_text,
            free,
            check,
            _lib: ManuallyDrop::new(lib),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The pack JSON exactly as the plugin handed it over.
    pub fn pack_text(&self) -> &str {
        &self.pack_text
    }

    pub fn has_check(&self) -> bool {
        self.check.is_some()
    }

    /// Runs the plugin's custom check on one query's verdict. `Ok(None)`:
    /// the plugin has no check, or no rule for this query (`"skip": true`).
    pub fn check(
        &self,
        query_id: &str,
        verdict: &Verdict,
    ) -> Result<Option<CheckOutcome>, PluginError> {
        let Some(check) = self.check else {
            return Ok(None);
        };
        let shape = |message: String| PluginError::Shape {
            path: self.path.clone(),
            function: SYM_CHECK,
            message,
            what: CHECK_SHAPE,
        };
        let verdict_json = serde_json::to_string(verdict).map_err(|e| shape(e.to_string()))?;
        let (Ok(q), Ok(v)) = (CString::new(query_id), CString::new(verdict_json)) else {
            return Err(shape(format!("query id {query_id:?} contains a NUL byte")));
        };
        // SAFETY: both arguments are valid NUL-terminated strings that
        // outlive the call; the result is copied and freed by the plugin.
        let text = unsafe {
            take(
                &self.path,
                SYM_CHECK,
                check(q.as_ptr(), v.as_ptr()),
                self.free,
            )
        }?;
        let doc = parse_json(&self.path, SYM_CHECK, &text, CHECK_SHAPE)?;
        reported_error(&self.path, SYM_CHECK, &doc)?;
        if doc.get("skip").and_then(Value::as_bool) == Some(true) {
            return Ok(None);
        }
        let pass = doc
            .get("pass")
            .and_then(Value::as_bool)
            .ok_or_else(|| shape("`pass` is missing or not a boolean".into()))?;
        let message = match doc.get("message") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => return Err(shape(format!("`message` must be a string, found {other}"))),
        };
        Ok(Some(CheckOutcome { pass, message }))
    }
}

/// Copies a borrowed C string, rejecting null and non-UTF-8.
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string.
unsafe fn text_of(
    path: &Path,
    function: &'static str,
    ptr: *const c_char,
) -> Result<String, PluginError> {
    if ptr.is_null() {
        return Err(PluginError::NullPointer {
            path: path.to_path_buf(),
            function,
        });
    }
    // SAFETY: non-null and NUL-terminated per the caller.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|e| PluginError::NotUtf8 {
            path: path.to_path_buf(),
            function,
            offset: e.valid_up_to(),
        })
}

/// Copies an owned C string and returns it to the plugin's `free`.
///
/// # Safety
/// `ptr` is null or a NUL-terminated string `free` releases.
unsafe fn take(
    path: &Path,
    function: &'static str,
    ptr: *mut c_char,
    free: FreeFn,
) -> Result<String, PluginError> {
    // SAFETY: per the caller.
    let text = unsafe { text_of(path, function, ptr) };
    if !ptr.is_null() {
        // SAFETY: allocated by the plugin, released exactly once.
        unsafe { free(ptr) };
    }
    text
}

pub(super) fn parse_json(
    path: &Path,
    function: &'static str,
    text: &str,
    what: &'static str,
) -> Result<Value, PluginError> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        PluginError::InvalidJson {
            path: path.to_path_buf(),
            function,
            line: e.line(),
            column: e.column(),
            message,
            what,
        }
    })
}

/// `{"error": "…"}`: the plugin reporting its own failure (a Rust plugin's
/// panic arrives this way).
pub(super) fn reported_error(
    path: &Path,
    function: &'static str,
    doc: &Value,
) -> Result<(), PluginError> {
    match doc.get("error") {
        None | Some(Value::Null) => Ok(()),
        Some(e) => Err(PluginError::Reported {
            path: path.to_path_buf(),
            function,
            message: e.as_str().map_or_else(|| e.to_string(), str::to_string),
        }),
    }
}
