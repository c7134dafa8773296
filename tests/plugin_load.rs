//! The plugin loader, through real shared libraries: the example plugins
//! (Rust and C) load, and every broken kind is an error naming its file
//! while the other plugins still load.

use crate::plugin_support;

use plugin_support::{c_plugin, not_a_library, not_a_plugin, rust_plugins};
use punie_eval::parse::Verdict;
use punie_eval::plugin::{load_all, Plugin, PluginError, PluginPack};
use std::path::Path;
use std::sync::Arc;

fn load_pack(path: &Path) -> Result<PluginPack, PluginError> {
    Plugin::load(path).and_then(|p| PluginPack::from_plugin(Arc::new(p)))
}

fn err_of(path: &Path) -> String {
    let e = load_pack(path).expect_err("a broken plugin must not load");
    assert_eq!(e.path(), path);
    let msg = e.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "error does not name the file: {msg}"
    );
    msg
}

fn verdict(json: &str) -> Verdict {
    serde_json::from_str(json).unwrap()
}

#[test]
fn git_pack_loads_with_its_custom_check() {
    let pack = load_pack(&rust_plugins().git).unwrap();
    assert_eq!(pack.id(), "git");
    assert_eq!(pack.plugin.manifest().version, "1.0.0");
    let toolset = pack.toolset(None).unwrap();
    assert_eq!(toolset.name(), "punie-phase27");
    assert!(pack.loaded.pack.queries.len() >= 10);

    let shell = verdict(
        r#"{"kind":"tool_call","calls":[{"name":"run_command","arguments":{"command":"git status"},"valid":true,"format":"qwen_json"}]}"#,
    );
    let out = pack.plugin.check("status-clean", &shell).unwrap().unwrap();
    assert!(!out.pass);
    assert!(out.message.contains("typed git tool"), "{}", out.message);
    let typed = verdict(
        r#"{"kind":"tool_call","calls":[{"name":"git_status","arguments":{"path":"."},"valid":true,"format":"qwen_json"}]}"#,
    );
    assert!(
        pack.plugin
            .check("status-clean", &typed)
            .unwrap()
            .unwrap()
            .pass
    );
    // No calls: the plugin has no rule, so no outcome.
    let direct = verdict(r#"{"kind":"direct"}"#);
    assert_eq!(pack.plugin.check("explain-rebase", &direct).unwrap(), None);
}

#[test]
fn toolset_change_adds_the_phase32_tools() {
    let pack = load_pack(&rust_plugins().toolset_change).unwrap();
    assert_eq!(pack.tools.len(), 12);
    let toolset = pack.toolset(None).unwrap();
    assert_eq!(toolset.name(), "punie-phase27+toolset-change-phase32");
    assert_eq!(toolset.len(), 26);
    for t in ["cst_rename", "validate_route_pattern", "typecheck"] {
        assert!(toolset.contains(t), "{t}");
    }
    assert!(!pack.plugin.has_check());
    // Against the unchanged toolset the pack's expectations name unknown tools.
    let base = punie_eval::schema::Toolset::punie_default();
    let tools_only = PluginPack {
        tools: Vec::new(),
        ..pack.clone()
    };
    let e = tools_only.toolset(Some(&base)).unwrap_err().to_string();
    assert!(
        e.contains("cst_rename") && e.contains("not in toolset"),
        "{e}"
    );
}

#[test]
fn c_plugin_loads_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = c_plugin(dir.path(), "c_example", &[]);
    let pack = load_pack(&path).unwrap();
    assert_eq!(pack.id(), "c-example");
    pack.toolset(None).unwrap();
    let wrong = verdict(
        r#"{"kind":"tool_call","calls":[{"name":"read_file","arguments":{"path":"setup.cfg"},"valid":true,"format":"qwen_json"}]}"#,
    );
    let out = pack.plugin.check("read-config", &wrong).unwrap().unwrap();
    assert_eq!(out.message, "read_file did not name pyproject.toml");
    assert!(!out.pass);
}

#[test]
fn wrong_abi_version() {
    let dir = tempfile::tempdir().unwrap();
    let msg = err_of(&c_plugin(dir.path(), "abi", &["BROKEN_ABI"]));
    assert!(
        msg.contains("ABI version 999") && msg.contains("speaks version 1"),
        "{msg}"
    );
}

#[test]
fn missing_symbol() {
    let dir = tempfile::tempdir().unwrap();
    let msg = err_of(&c_plugin(dir.path(), "nofree", &["BROKEN_NO_FREE"]));
    assert!(msg.contains("`punie_plugin_free`"), "{msg}");
}

#[test]
fn invalid_json() {
    let dir = tempfile::tempdir().unwrap();
    let msg = err_of(&c_plugin(dir.path(), "badjson", &["BROKEN_JSON"]));
    assert!(
        msg.contains("invalid JSON at line 1") && msg.contains("punie_plugin_pack"),
        "{msg}"
    );
}

#[test]
fn null_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let msg = err_of(&c_plugin(dir.path(), "null", &["BROKEN_NULL"]));
    assert!(msg.contains("returned a null pointer"), "{msg}");
}

#[test]
fn panicking_rust_plugin() {
    let msg = err_of(&rust_plugins().panicking);
    assert!(
        msg.contains("the plugin panicked") && msg.contains("index out of bounds"),
        "{msg}"
    );
}

#[test]
fn not_a_library_file() {
    let dir = tempfile::tempdir().unwrap();
    let msg = err_of(&not_a_library(dir.path()));
    assert!(msg.contains("not a loadable shared library"), "{msg}");
}

#[test]
fn library_that_is_not_a_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let msg = err_of(&not_a_plugin(dir.path()));
    assert!(
        msg.contains("not a punie-eval plugin") && msg.contains("punie_plugin_abi_version"),
        "{msg}"
    );
}

#[test]
fn missing_file() {
    let msg = err_of(Path::new("/nonexistent/libnothing.so"));
    assert!(msg.contains("no such file"), "{msg}");
}

#[test]
fn broken_plugins_do_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    c_plugin(dir.path(), "c_example", &[]);
    c_plugin(dir.path(), "null", &["BROKEN_NULL"]);
    not_a_library(dir.path());
    std::fs::write(dir.path().join("README.txt"), "not loaded: wrong extension").unwrap();
    let report = load_all(&[rust_plugins().git.clone()], &[dir.path().to_path_buf()]);
    let ids: Vec<&str> = report.packs.iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["git", "c-example"]);
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    let named: Vec<String> = report
        .errors
        .iter()
        .map(|e| e.path().file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(named.iter().any(|n| n.contains("null")), "{named:?}");
    assert!(named.iter().any(|n| n.contains("notalib")), "{named:?}");
}
