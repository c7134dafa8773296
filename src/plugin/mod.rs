//! Query packs loaded from shared libraries (issue #6). A plugin exports the
//! C ABI of `plugins/include/punie_eval_plugin.h`: its ABI version, a
//! manifest, its pack as JSON (the query-pack format, plus optional extra
//! tool schemas) and optionally a per-query custom check. Loading is
//! explicit — only files the user names — and every failure is an error
//! naming the plugin file, so the other packs still load. See docs/plugins.md.

mod abi;
mod error;
mod library;
mod manifest;
mod pack;
mod set;

pub use abi::ABI_VERSION;
pub use error::{PluginError, ToolProblem};
pub use library::{CheckOutcome, Plugin};
pub use manifest::Manifest;
pub use pack::{read as read_pack, toolset as pack_toolset, PluginPack};
pub use set::{load_all, plugin_files, LoadReport};
