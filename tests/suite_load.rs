//! Query pack loading: the shipped packs, the JSON front end, and every
//! class of bad input with the message (file, line, fix) it must produce.

use punie_eval::schema::Toolset;
use punie_eval::suite::{Expect, LoadedPack, MatchMode, PackError, ToolCatalog};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn phase27() -> Toolset {
    Toolset::builtin("punie-phase27")
        .expect("punie-phase27 is built in")
        .expect("punie-phase27 loads")
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Parses and checks against phase27; returns the rendered error.
fn error_of(toml: &str) -> String {
    let result = LoadedPack::from_toml(toml, "bad.toml").and_then(|p| p.check_tools(&phase27()));
    match result {
        Ok(()) => panic!("expected the pack to be rejected:\n{toml}"),
        Err(e) => e.to_string(),
    }
}

const HEADER: &str = r#"[pack]
id = "t"
version = "1"
toolset = "punie-phase27"
"#;

#[test]
fn shipped_packs_load_and_check() {
    let toolset = phase27();
    for file in ["queries/protocol.toml", "queries/discrimination.toml"] {
        let pack = LoadedPack::from_file(&repo(file)).unwrap_or_else(|e| panic!("{e}"));
        pack.check_tools(&toolset).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn protocol_pack_expects_a_search_tool() {
    let pack = LoadedPack::from_file(&repo("queries/protocol.toml")).unwrap();
    let q = &pack.pack.queries[0];
    assert_eq!(
        q.user.as_deref(),
        Some("Show me how the protocol class is used in the codebase")
    );
    let Expect::Tool(t) = &q.expect else {
        panic!("protocol query must expect a tool")
    };
    assert_eq!(t.mode, MatchMode::Any);
    let names: Vec<&str> = t.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["find_references", "workspace_symbols", "run_command"]
    );
}

#[test]
fn discrimination_pack_is_balanced_and_covers_every_tool_both_ways() {
    let pack = LoadedPack::from_file(&repo("queries/discrimination.toml")).unwrap();
    let queries = &pack.pack.queries;
    assert!(queries.len() >= 60, "{} queries", queries.len());
    let wants_tool = queries
        .iter()
        .filter(|q| q.expect.kind().wants_tool())
        .count();
    let abstains = queries.len() - wants_tool;
    assert!(
        wants_tool.abs_diff(abstains) <= 2,
        "unbalanced: {wants_tool} tool vs {abstains} direct"
    );
    let toolset = phase27();
    for tool in toolset.tool_names() {
        let tagged: Vec<_> = queries.iter().filter(|q| q.tags.contains(&tool)).collect();
        let called = tagged
            .iter()
            .any(|q| q.expect.tool_names().contains(&tool.as_str()));
        let direct = tagged.iter().any(|q| matches!(q.expect, Expect::Direct));
        assert!(called, "no query expects a call to {tool}");
        assert!(direct, "no direct-answer query about {tool}");
    }
    let ids: BTreeSet<&str> = queries.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids.len(), queries.len());
}

#[test]
fn json_front_end_reads_the_same_model() {
    let from_toml = LoadedPack::from_file(&repo("queries/discrimination.toml")).unwrap();
    let json = serde_json::to_string(&from_toml.pack).unwrap();
    let from_json = LoadedPack::from_json(&json, "plugin:discrimination").unwrap();
    assert_eq!(from_json.pack, from_toml.pack);
    from_json.check_tools(&phase27()).unwrap();

    let hand_written = r#"{
      "pack": {"id": "p", "version": "2", "toolset": "punie-phase27",
               "generation": {"max_tokens": 64, "temperature": 0.7, "seed": 7}},
      "query": [
        {"id": "a", "user": "Lint src/x.py", "expect": {"tool": "ruff_check", "args": {"path": {"regex": "x\\.py$"}}}},
        {"id": "b", "messages": [{"role": "user", "content": "hi"}], "expect": "direct", "tags": ["t"]}
      ]
    }"#;
    let p = LoadedPack::from_json(hand_written, "plugin:p").unwrap();
    assert_eq!(p.pack.pack.generation.max_tokens, 64);
    assert_eq!(p.pack.pack.generation.seed, 7);
    assert_eq!(p.pack.pack.generation.top_p, 1.0, "defaults fill the rest");
    assert_eq!(p.pack.queries.len(), 2);
}

#[test]
fn toml_files_with_json_extension_are_rejected_by_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pack.yaml");
    std::fs::write(&path, "x").unwrap();
    let err = LoadedPack::from_file(&path).unwrap_err();
    assert!(matches!(err, PackError::UnknownFormat { .. }));
    assert!(
        err.to_string().contains("name the file *.toml or *.json"),
        "{err}"
    );
    let missing = LoadedPack::from_file(&dir.path().join("nope.toml")).unwrap_err();
    assert!(
        missing.to_string().contains("cannot read the query pack"),
        "{missing}"
    );
}

#[test]
fn unknown_tool_names_the_line_and_suggests() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"check types\"\nexpect = {{ tool = \"typchek\" }}\n"
    ));
    assert!(err.contains("bad.toml:9:"), "{err}");
    assert!(
        err.contains("expects tool `typchek`, which is not in toolset punie-phase27"),
        "{err}"
    );
    assert!(err.contains("did you mean `typecheck`?"), "{err}");
}

#[test]
fn unknown_argument_names_the_tool_and_suggests() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = {{ tool = \"goto_definition\", args = {{ filepath = \"a.py\" }} }}\n"
    ));
    assert!(
        err.contains(
            "expects argument `filepath` of `goto_definition`, which has no such argument"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean `file_path`?"), "{err}");
}

#[test]
fn duplicate_query_ids_point_at_the_second() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = \"direct\"\n\n[[query]]\nid = \"a\"\nuser = \"y\"\nexpect = \"direct\"\n"
    ));
    assert!(err.contains("bad.toml:12:"), "{err}");
    assert!(
        err.contains("query[1].id: duplicate query id \"a\" (also query[0])"),
        "{err}"
    );
    assert!(
        err.contains("fix: give every query of the pack its own id"),
        "{err}"
    );
}

#[test]
fn missing_user_text_points_at_the_query() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nexpect = \"direct\"\n"
    ));
    assert!(err.contains("bad.toml:6:"), "{err}");
    assert!(err.contains("query \"a\" has no user text"), "{err}");
    assert!(err.contains("fix: add user = "), "{err}");
}

#[test]
fn blank_user_and_both_forms_are_rejected() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"  \"\nexpect = \"direct\"\n"
    ));
    assert!(err.contains("has an empty user text"), "{err}");
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"x\"\nmessages = [{{ role = \"user\", content = \"y\" }}]\nexpect = \"direct\"\n"
    ));
    assert!(err.contains("has both `user` and `messages`"), "{err}");
}

#[test]
fn conversations_must_end_with_the_turn_to_answer() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nexpect = \"direct\"\nmessages = [{{ role = \"user\", content = \"y\" }}, {{ role = \"assistant\", content = \"z\" }}]\n"
    ));
    assert!(
        err.contains("the conversation ends with an assistant message"),
        "{err}"
    );
    assert!(err.contains("query[0].messages[1]"), "{err}");
}

#[test]
fn unknown_keys_are_typos_with_a_line() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nusr = \"x\"\nexpect = \"direct\"\n"
    ));
    assert!(err.contains("bad.toml:8:"), "{err}");
    assert!(err.contains("unknown field `usr`"), "{err}");
    assert!(
        err.contains("fix: remove the key or correct its spelling"),
        "{err}"
    );
}

#[test]
fn bad_expectations_say_where_inside_expect() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = {{ tool = \"read_file\", args = {{ path = {{ regex = \"(\" }} }} }}\n"
    ));
    assert!(err.contains("bad.toml:9:"), "{err}");
    assert!(
        err.contains("expect.args.path.regex \"(\" is not a valid regular expression"),
        "{err}"
    );

    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = \"tool\"\n"
    ));
    assert!(err.contains("does not say which tool"), "{err}");
    assert!(
        err.contains("fix: write expect = { tool = \"NAME\" }"),
        "{err}"
    );

    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = {{ tool = \"read_file\", match = \"some\" }}\n"
    ));
    assert!(err.contains("expect.match is \"some\""), "{err}");
}

#[test]
fn expectation_problems_keep_message_and_fix_apart() {
    let toml = format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = {{ tool = [\"read_file\", {{ name = 3 }}] }}\n"
    );
    let err = LoadedPack::from_toml(&toml, "bad.toml").unwrap_err();
    let [p] = err.problems() else {
        panic!("one problem: {err}")
    };
    assert_eq!(p.message, "expect.tool[1].name is a number");
    assert_eq!(p.fix, "write the tool name as a string");
    assert_eq!(p.location.line, Some(9), "the line of the expect value");
    assert_eq!(
        err.to_string(),
        "bad.toml: invalid query pack (1 problem)\n  bad.toml:9:10: expect.tool[1].name is a \
         number\n    fix: write the tool name as a string"
    );

    // JSON has no lines once parsed: the query's key path says where.
    let err = LoadedPack::from_json(
        r#"{"pack": {"id": "p", "version": "1", "toolset": "punie-phase27"},
            "query": [{"id": "a", "user": "x", "expect": "direct"},
                      {"id": "b", "user": "x", "expect": {"tool": []}}]}"#,
        "plugin:x",
    )
    .unwrap_err();
    let [p] = err.problems() else {
        panic!("one problem: {err}")
    };
    assert_eq!(p.location.path, "query[1]");
    assert_eq!(p.message, "expect.tool is an empty list");
    assert_eq!(
        p.fix,
        "name at least one tool, or use expect = \"any_tool\""
    );
    assert!(
        err.to_string()
            .contains("plugin:x: query[1]: expect.tool is an empty list\n    fix: name"),
        "{err}"
    );
}

#[test]
fn syntax_errors_name_the_line() {
    let err = error_of(&format!("{HEADER}\n[[query]]\nid = \"a\nuser = \"x\"\n"));
    assert!(err.contains("bad.toml:7:"), "{err}");
}

#[test]
fn empty_packs_and_bad_generation_settings() {
    let err = error_of(HEADER);
    assert!(err.contains("the pack has no queries"), "{err}");
    let err = error_of(&format!(
        "{HEADER}[pack.generation]\ntop_p = 1.5\nmax_tokens = 0\n\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = \"direct\"\n"
    ));
    assert!(err.contains("bad.toml:6:"), "{err}");
    assert!(err.contains("top_p 1.5 is outside (0, 1]"), "{err}");
    assert!(err.contains("max_tokens is 0"), "{err}");
    assert!(err.contains("(2 problems)"), "{err}");
    let top_p = err.find("top_p 1.5").unwrap();
    let max_tokens = err.find("max_tokens is 0").unwrap();
    assert!(
        top_p < max_tokens,
        "problems are listed in file order: {err}"
    );
}

#[test]
fn stop_strings_load_and_an_empty_one_is_refused_in_place() {
    let ok = format!(
        "{HEADER}[pack.generation]\nstop = [\"</tool_call>\", \"\\nUser:\"]\n\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = \"direct\"\n"
    );
    let pack = LoadedPack::from_toml(&ok, "ok.toml").unwrap();
    assert_eq!(pack.pack.pack.generation.stop, ["</tool_call>", "\nUser:"]);
    let err = error_of(&format!(
        "{HEADER}[pack.generation]\nstop = [\"ok\", \"\"]\n\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = \"direct\"\n"
    ));
    assert!(err.contains("a stop string is empty"), "{err}");
    assert!(err.contains("bad.toml:6:"), "{err}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nexpect = \"direct\"\n\n[[query]]\nid = \"a\"\nuser = \"y\"\nexpect = \"direct\"\ntags = [\"x\", \"x\"]\n"
    ));
    assert!(err.contains("invalid query pack (3 problems)"), "{err}");
    assert!(err.contains("has no user text"), "{err}");
    assert!(err.contains("duplicate query id"), "{err}");
    assert!(err.contains("has tag \"x\" twice"), "{err}");
}

#[test]
fn every_wrong_expectation_is_reported_with_the_other_problems() {
    let err = error_of(&format!(
        "{HEADER}\n[[query]]\nid = \"a\"\nuser = \"x\"\nexpect = {{ tool = [] }}\n\n\
         [[query]]\nid = \"b\"\nexpect = \"tool\"\n\n\
         [[query]]\nid = \"b\"\nuser = \"z\"\nexpect = {{ tool = \"read_file\", mach = \"all\" }}\n"
    ));
    assert!(err.contains("invalid query pack (5 problems)"), "{err}");
    assert!(
        err.contains("bad.toml:9:10: expect.tool is an empty list"),
        "{err}"
    );
    assert!(err.contains("query \"b\" has no user text"), "{err}");
    assert!(
        err.contains("bad.toml:13:10: expect = \"tool\" does not say which tool"),
        "{err}"
    );
    assert!(err.contains("duplicate query id \"b\""), "{err}");
    assert!(
        err.contains("bad.toml:18:10: expect has an unknown key `mach`"),
        "{err}"
    );
    let empty = err.find("empty list").unwrap();
    let unknown = err.find("unknown key").unwrap();
    assert!(empty < unknown, "problems are listed in file order: {err}");
}

#[test]
fn json_errors_name_line_column_or_key_path() {
    let err = LoadedPack::from_json("{\"pack\": {\"id\": \"p\",,}}", "plugin:x")
        .unwrap_err()
        .to_string();
    assert!(err.contains("plugin:x:1:"), "{err}");
    let err = LoadedPack::from_json(
        r#"{"pack": {"id": "p", "version": "1", "toolset": "punie-phase27"},
            "query": [{"id": "a", "user": "x", "expect": {"tool": "nope"}}]}"#,
        "plugin:x",
    )
    .unwrap()
    .check_tools(&phase27())
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("plugin:x: query[0].expect.tool: query \"a\" expects tool `nope`"),
        "{err}"
    );
}

#[test]
fn early_stop_settings_load_and_a_zero_budget_is_refused_where_it_is() {
    let pack = |rule: &str| {
        format!(
            "{HEADER}[pack.generation]\nearly_stop = {rule}\n\
             [[query]]\nid = \"q\"\nuser = \"hi\"\nexpect = \"direct\"\n"
        )
    };
    let ok =
        LoadedPack::from_toml(&pack("{ after_call = true, prose_tokens = 16 }"), "p.toml").unwrap();
    let e = ok.pack.pack.generation.early_stop.unwrap();
    assert!(e.after_call);
    assert_eq!(e.prose_tokens.map(|k| k.get()), Some(16));
    let err = error_of(&pack("{ prose_tokens = 0 }"));
    assert!(
        err.contains("bad.toml:6:") && err.contains("nonzero"),
        "{err}"
    );
    let err = error_of(&pack("{ after = true }"));
    assert!(err.contains("unknown field `after`"), "{err}");
}
