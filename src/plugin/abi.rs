//! The ABI's symbols and function types (plugins/include/punie_eval_plugin.h).

use std::ffi::c_char;

/// The ABI version this punie-eval speaks (`PUNIE_PLUGIN_ABI_VERSION`).
pub const ABI_VERSION: u32 = 1;

pub const SYM_ABI_VERSION: &str = "punie_plugin_abi_version";
pub const SYM_MANIFEST: &str = "punie_plugin_manifest";
pub const SYM_PACK: &str = "punie_plugin_pack";
pub const SYM_FREE: &str = "punie_plugin_free";
pub const SYM_CHECK: &str = "punie_plugin_check";

pub type AbiVersionFn = unsafe extern "C" fn() -> u32;
pub type ManifestFn = unsafe extern "C" fn() -> *const c_char;
pub type PackFn = unsafe extern "C" fn() -> *mut c_char;
pub type FreeFn = unsafe extern "C" fn(*mut c_char);
pub type CheckFn = unsafe extern "C" fn(*const c_char, *const c_char) -> *mut c_char;
