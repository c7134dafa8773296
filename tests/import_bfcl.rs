//! `punie-eval import bfcl` (src/import/bfcl): BFCL-like entries → query
//! packs, the rules of BFCL's AST checker as expectations, and the command.

use crate::cli_support::{punie, text};
use punie_eval::import::bfcl::answer::{expectation, standardize, Converted};
use punie_eval::import::bfcl::schema::tool_schema;
use punie_eval::import::bfcl::{self, convert_entry, sample_indices, At, Kind, Options, Sample};
use serde_json::{json, Value};
use std::path::Path;

fn at() -> At {
    At::new("BFCL_v4_test.json", Some("t_0".into()))
}

fn func(name: &str, props: Value, required: &[&str]) -> Value {
    json!({"name": name, "description": "d", "parameters": {"type": "dict", "properties": props, "required": required}})
}

/// The expectation of an entry whose answers all have the declared types.
fn expect_of(gt: Value, functions: &[Value]) -> Value {
    match expectation(&gt, functions, &at()).expect("converts") {
        Converted::Expect(e, widen) => {
            assert!(widen.is_empty(), "{widen:?}");
            e
        }
        Converted::Skip(why) => panic!("skipped: {why}"),
    }
}

#[test]
fn function_docs_become_tool_schemas() {
    let f = func(
        "math.factorial",
        json!({
            "number": {"type": "integer", "description": "n"},
            "scale": {"type": "float"},
            "opts": {"type": "dict", "properties": {"deep": {"type": "tuple", "items": {"type": "string"}}}},
            "what": {"type": "any"},
            "flag": {"type": "boolean", "optional": "True"},
        }),
        &["number"],
    );
    let s = tool_schema(&f, &[], &at()).unwrap();
    assert_eq!(s["x-tool-name"], "math.factorial");
    assert_eq!(s["x-aliases"], json!(["math_factorial"]));
    assert_eq!(s["type"], "object");
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(s["required"], json!(["number"]));
    let p = &s["properties"];
    assert_eq!(p["number"]["type"], "integer");
    assert_eq!(p["number"]["description"], "n");
    assert_eq!(p["scale"]["type"], "number");
    assert_eq!(p["opts"]["type"], "object");
    assert_eq!(p["opts"]["properties"]["deep"]["type"], "array");
    assert_eq!(p["opts"]["properties"]["deep"]["items"]["type"], "string");
    assert!(p["what"].get("type").is_none(), "any: no type");
    assert_eq!(p["flag"]["type"], "boolean");
    // An alias that would name another function of the entry is left out.
    let s = tool_schema(&f, &["math_factorial"], &at()).unwrap();
    assert!(s.get("x-aliases").is_none());
    let plain = tool_schema(&func("play", json!({}), &[]), &[], &at()).unwrap();
    assert!(plain.get("x-aliases").is_none());
}

#[test]
fn unknown_types_and_bad_docs_are_clear_errors() {
    let f = func("f", json!({"x": {"type": "HashMap"}}), &[]);
    let e = tool_schema(&f, &[], &at()).unwrap_err().to_string();
    assert!(e.contains("BFCL_v4_test.json"), "{e}");
    assert!(e.contains("\"t_0\""), "{e}");
    assert!(e.contains("unknown type \"HashMap\""), "{e}");
    assert!(e.contains("parameter \"x\""), "{e}");
    assert!(e.contains("fix:"), "{e}");
    let f = func("f", json!({"x": {"type": "string"}}), &["y"]);
    let e = tool_schema(&f, &[], &at()).unwrap_err().to_string();
    assert!(e.contains("required parameter \"y\""), "{e}");
    let e = tool_schema(&json!("f"), &[], &at())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not an object"), "{e}");
}

#[test]
fn simple_answers_become_exact_call_expectations() {
    let f = func(
        "calculate_triangle_area",
        json!({"base": {"type": "integer"}, "height": {"type": "integer"}, "unit": {"type": "string"}, "note": {"type": "string"}}),
        &["base", "height"],
    );
    let gt = json!([{"calculate_triangle_area": {"base": [10], "height": [5, 6], "unit": ["units", ""]}}]);
    let e = expect_of(gt, &[f]);
    assert_eq!(
        e,
        json!({
            "tool": [{"name": "calculate_triangle_area", "args": {
                "base": {"equals": 10},
                "height": {"one_of": [5, 6]},
                // Absent, or "units", or a "" (BFCL compares it with the
                // standardised answers, "" among them).
                "unit": {"any_of": [{"normalized": "units"}, {"normalized": ""}], "optional": true},
                "note": {"present": false},
            }}],
            "match": "all",
            "calls": "exactly",
        })
    );
}

#[test]
fn parallel_answers_are_one_entry_per_call() {
    let f = func(
        "spotify.play",
        json!({"artist": {"type": "string"}, "duration": {"type": "integer"}}),
        &["artist", "duration"],
    );
    let gt = json!([
        {"spotify.play": {"artist": ["Taylor Swift"], "duration": [20]}},
        {"spotify.play": {"artist": ["Maroon 5"], "duration": [15]}},
    ]);
    let e = expect_of(gt, &[f]);
    let tools = e["tool"].as_array().unwrap();
    assert_eq!(tools.len(), 2);
    assert_eq!(tools[0]["name"], "spotify.play");
    assert_eq!(
        tools[1]["args"]["artist"],
        json!({"normalized": "Maroon 5"})
    );
    assert_eq!(e["match"], "all");
    assert_eq!(e["calls"], "exactly");
    assert!(
        e.get("order").is_none(),
        "BFCL's parallel checker takes any order"
    );
}

#[test]
fn several_strings_become_any_of_normalized_strings_that_is_bfcls_test() {
    let f = func("w", json!({"city": {"type": "string"}}), &["city"]);
    let gt = json!([{"w": {"city": ["New York, NY", "NYC", "new york ny"]}}]);
    let e = expect_of(gt, &[f]);
    // "new york ny" standardises as "New York, NY" does: one alternative.
    assert_eq!(
        e["tool"][0]["args"]["city"],
        json!({"any_of": [{"normalized": "New York, NY"}, {"normalized": "NYC"}]})
    );
    let m = punie_eval::suite::Expect::from_value(&e).unwrap();
    let punie_eval::suite::Expect::Tool(t) = m else {
        panic!("{m:?}")
    };
    let (_, city) = &t.tools[0].args[0];
    for (s, ok) in [
        ("New York, NY", true),
        ("new-york ny.", true),
        ("NYC", true),
        ("N.Y.C.", true),
        ("New York", false),
        ("NYC!", false),
        ("xNYC", false),
    ] {
        assert_eq!(city.check("city", Some(&json!(s))).is_ok(), ok, "{s:?}");
    }
}

#[test]
fn standardize_is_bfcls_standardize_string() {
    for (a, b) in [
        ("It's 5 o'clock", "it\"s5o\"clock"),
        ("a*b^c", "abc"),
        ("Ünïcode Straße", "ünïcodestraße"),
        ("x_y-z/w", "xyzw"),
        (" . ", ""),
    ] {
        assert_eq!(standardize(a), b, "{a:?}");
    }
}

#[test]
fn nested_dicts_and_lists_follow_bfcls_checkers() {
    let f = func(
        "book",
        json!({
            "filters": {"type": "dict", "properties": {"lang": {"type": "string"}, "year": {"type": "integer"}}},
            "tags": {"type": "array", "items": {"type": "any"}},
            "sizes": {"type": "array", "items": {"type": "integer"}},
            "rooms": {"type": "array", "items": {"type": "dict"}},
            "names": {"type": "array", "items": {"type": "string"}},
            "size": {"type": "dict"},
            "stays": {"type": "array", "items": {"type": "dict"}},
        }),
        &["filters"],
    );
    let gt = json!([{"book": {
        "filters": [{"lang": ["English", "en"], "year": [2024, ""]}],
        "tags": [["Sea View", 3]],
        "sizes": [[1, 2], [2, 1], ""],
        "rooms": [[{"kind": ["double"], "beds": [2]}]],
        "names": [["Ann", "Bo"], ["Bo", "Ann"]],
        "size": [{"w": [1]}, {"w": [2], "unit": ["cm", 3]}],
        "stays": [[{"n": [1]}], [{"n": [2]}]],
    }}]);
    let e = expect_of(gt, &[f]);
    let args = &e["tool"][0]["args"];
    assert_eq!(
        args["filters"]["keys"]["year"],
        json!({"equals": 2024, "optional": true})
    );
    assert_eq!(
        args["filters"]["keys"]["lang"],
        json!({"any_of": [{"normalized": "English"}, {"normalized": "en"}]})
    );
    assert_eq!(
        args["tags"],
        json!({"each": [{"normalized": "Sea View"}, {"equals": 3}]})
    );
    assert_eq!(
        args["sizes"],
        json!({"one_of": [[1, 2], [2, 1]], "optional": true})
    );
    assert_eq!(
        args["rooms"],
        json!({"each": [{"keys": {"kind": {"normalized": "double"}, "beds": {"equals": 2}}}]})
    );
    // Several acceptable lists with strings, several objects, several lists
    // of objects, strings beside numbers: a choice between matchers.
    assert_eq!(
        args["names"],
        json!({"any_of": [
            {"each": [{"normalized": "Ann"}, {"normalized": "Bo"}]},
            {"each": [{"normalized": "Bo"}, {"normalized": "Ann"}]}
        ]})
    );
    assert_eq!(
        args["size"],
        json!({"any_of": [
            {"keys": {"w": {"equals": 1}}},
            {"keys": {"w": {"equals": 2}, "unit": {"any_of": [{"normalized": "cm"}, {"equals": 3}]}}}
        ]})
    );
    assert_eq!(
        args["stays"],
        json!({"any_of": [
            {"each": [{"keys": {"n": {"equals": 1}}}]},
            {"each": [{"keys": {"n": {"equals": 2}}}]}
        ]})
    );
}

#[test]
fn answers_of_another_type_are_exact_and_also_valid_in_the_schema() {
    let f = func(
        "f",
        json!({"a": {"type": "string"}, "b": {"type": "integer"}, "c": {"type": "float"},
               "d": {"type": "integer"}, "e": {"type": "array", "items": {"type": "integer"}}}),
        &["d"],
    );
    let gt = json!([{"f": {"a": [null, ""], "b": ["x_var"], "c": [2], "d": [null], "e": [["apple", "kiwi"]]}}]);
    let Converted::Expect(e, widen) = expectation(&gt, std::slice::from_ref(&f), &at()).unwrap()
    else {
        panic!("skipped")
    };
    let args = &e["tool"][0]["args"];
    assert_eq!(args["a"], json!({"equals": null, "optional": true}));
    assert_eq!(args["b"], json!({"equals": "x_var"}));
    assert_eq!(args["c"], json!({"equals": 2}));
    // `a` is optional: `optional_null` takes its null; `c`'s int is a float.
    let widened: Vec<(&str, &Value)> = widen
        .iter()
        .map(|w| (w.parameter.as_str(), &w.schema))
        .collect();
    assert_eq!(
        widened,
        vec![
            ("b", &json!({"type": "string"})),
            ("d", &json!({"type": "null"})),
            ("e", &json!({"type": "array", "items": {"type": "string"}})),
        ]
    );
    // Through the whole entry: the tool schema carries them, hidden from
    // the model, and the answers validate.
    let entry =
        json!({"id": "v_0", "question": [[{"role": "user", "content": "q"}]], "function": [f]});
    let answer = json!({"id": "v_0", "ground_truth": gt});
    let (q, _) = bfcl::convert_entry(
        "simple_python",
        bfcl::Kind::Calls,
        &entry,
        Some(&answer),
        &at(),
    )
    .unwrap();
    let q = q.unwrap();
    let schema = &q["tools"][0];
    assert_eq!(schema["x-also-valid"]["b"], json!({"type": "string"}));
    let tool = punie_eval::schema::ToolSchema::from_value(schema.clone(), "t").unwrap();
    assert!(tool
        .validate(&json!({"b": "x_var", "d": null, "e": ["apple"]}), &[])
        .is_empty());
    assert!(!tool.validate(&json!({"b": [1], "d": 3.5}), &[]).is_empty());
}

#[test]
fn also_valid_must_name_declared_parameters_and_be_schemas() {
    for (also, want) in [
        (json!({"ghost": {"type": "string"}}), "not declared"),
        (json!({"x": 3}), "JSON Schema the parameter also accepts"),
        (json!(["x"]), "maps parameter names to schemas"),
    ] {
        let doc = json!({"x-tool-name": "t", "type": "object", "properties": {"x": {"type": "integer"}}, "x-also-valid": also});
        let issues = punie_eval::schema::ToolSchema::from_value(doc, "t.json").unwrap_err();
        assert!(
            issues.iter().any(|i| i.to_string().contains(want)),
            "{want}: {issues:?}"
        );
    }
}

#[test]
fn unpassable_entries_are_skipped_with_a_reason() {
    let f = func("f", json!({"a": {"type": "string"}}), &[]);
    // An argument the function does not declare, required by the answer.
    let gt = json!([{"f": {"a": ["x"], "ghost": [1]}}]);
    match expectation(&gt, std::slice::from_ref(&f), &at()).unwrap() {
        Converted::Skip(why) => assert!(why.contains("\"ghost\""), "{why}"),
        other => panic!("{other:?}"),
    }
    // The same argument, optional: dropped (the schema refuses it anyway).
    let gt = json!([{"f": {"a": ["x"], "ghost": [1, ""]}}]);
    let e = expect_of(gt, std::slice::from_ref(&f));
    assert!(e["tool"][0]["args"].get("ghost").is_none());
}

#[test]
fn malformed_answers_are_errors_naming_the_entry() {
    let f = func("f", json!({"a": {"type": "string"}}), &[]);
    for (gt, says) in [
        (json!([{"nope": {"a": ["x"]}}]), "\"nope\""),
        (json!([{"f": {"a": "x"}}]), "not a list"),
        (json!([]), "non-empty list"),
        (json!([{"f": {}, "g": {}}]), "one function name"),
    ] {
        let e = expectation(&gt, std::slice::from_ref(&f), &at())
            .unwrap_err()
            .to_string();
        assert!(e.contains("entry \"t_0\""), "{e}");
        assert!(e.contains(says), "{e}");
        assert!(e.contains("fix:"), "{e}");
    }
}

#[test]
fn entries_become_queries_with_their_own_tools() {
    let entry = json!({
        "id": "simple_python_1",
        "question": [[{"role": "user", "content": "What is 5 factorial?"}]],
        "function": [func("math.factorial", json!({"number": {"type": "integer"}}), &["number"])],
    });
    let answer =
        json!({"id": "simple_python_1", "ground_truth": [{"math.factorial": {"number": [5]}}]});
    let (q, _) = convert_entry("simple_python", Kind::Calls, &entry, Some(&answer), &at()).unwrap();
    let q = q.unwrap();
    assert_eq!(q["id"], "simple_python_1");
    assert_eq!(q["user"], "What is 5 factorial?");
    assert_eq!(q["tools_mode"], "only");
    assert_eq!(q["tools"][0]["x-tool-name"], "math.factorial");
    assert_eq!(
        q["expect"]["tool"][0]["args"]["number"],
        json!({"equals": 5})
    );
    assert_eq!(q["tags"], json!(["simple_python"]));

    let with_system = json!({
        "id": "live_irrelevance_0",
        "question": [[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]],
        "function": [func("f", json!({}), &[])],
    });
    let (q, _) =
        convert_entry("live_irrelevance", Kind::Direct, &with_system, None, &at()).unwrap();
    let q = q.unwrap();
    assert_eq!(q["expect"], "direct");
    assert_eq!(q["messages"][0]["role"], "system");
    assert!(q.get("user").is_none());
    let (q, _) = convert_entry("live_relevance", Kind::AnyTool, &with_system, None, &at()).unwrap();
    assert_eq!(q.unwrap()["expect"], "any_tool");

    // Two dotted names with the same underscore form: neither gets the alias.
    let clash = json!({
        "id": "multiple_9",
        "question": [[{"role": "user", "content": "?"}]],
        "function": [func("a.b_c", json!({}), &[]), func("a_b.c", json!({}), &[]), func("d.e", json!({}), &[])],
    });
    let (q, _) = convert_entry("multiple", Kind::Direct, &clash, None, &at()).unwrap();
    let q = q.unwrap();
    assert!(q["tools"][0].get("x-aliases").is_none());
    assert!(q["tools"][1].get("x-aliases").is_none());
    assert_eq!(q["tools"][2]["x-aliases"], json!(["d_e"]));
    let (q, _) = convert_entry("live_relevance", Kind::AnyTool, &with_system, None, &at()).unwrap();
    assert_eq!(q.unwrap()["expect"], "any_tool");

    let e = convert_entry("simple_python", Kind::Calls, &entry, None, &at()).unwrap_err();
    assert!(e.to_string().contains("no possible answer"), "{e}");
    let two_turns = json!({"id": "x", "question": [[], []], "function": []});
    let e = convert_entry("irrelevance", Kind::Direct, &two_turns, None, &at()).unwrap_err();
    assert!(e.to_string().contains("2 turns"), "{e}");
}

#[test]
fn samples_are_seeded_sorted_and_stable() {
    let a = sample_indices(100, Sample { n: 10, seed: 7 });
    assert_eq!(a, sample_indices(100, Sample { n: 10, seed: 7 }));
    assert_ne!(a, sample_indices(100, Sample { n: 10, seed: 8 }));
    assert_eq!(a.len(), 10);
    assert!(a.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        sample_indices(5, Sample { n: 10, seed: 1 }),
        vec![0, 1, 2, 3, 4]
    );
    // Pinned: a documented sample must not change between releases
    // (splitmix64 from the seed, a partial Fisher-Yates, sorted).
    assert_eq!(sample_indices(20, Sample { n: 3, seed: 1 }), vec![5, 9, 14]);
    assert_eq!(
        sample_indices(400, Sample { n: 5, seed: 1 }),
        vec![65, 218, 304, 334, 385]
    );
}

/// A small BFCL-shaped folder: one supported category with answers, one
/// irrelevance category and one unsupported category.
fn fake_bfcl(dir: &Path) {
    let data = dir.join("bfcl_eval").join("data");
    std::fs::create_dir_all(data.join("possible_answer")).unwrap();
    let f = func(
        "math.hypot",
        json!({"x": {"type": "integer"}, "y": {"type": "integer"}, "z": {"type": "integer"}}),
        &["x", "y"],
    );
    let mut entries = String::new();
    let mut answers = String::new();
    for i in 0..5 {
        entries.push_str(&format!(
            "{}\n",
            json!({"id": format!("simple_python_{i}"), "question": [[{"role": "user", "content": format!("hypot {i} 4")}]], "function": [f]})
        ));
        answers.push_str(&format!(
            "{}\n",
            json!({"id": format!("simple_python_{i}"), "ground_truth": [{"math.hypot": {"x": [i], "y": [4], "z": ["", 0]}}]})
        ));
    }
    std::fs::write(data.join("BFCL_v4_simple_python.json"), entries).unwrap();
    std::fs::write(
        data.join("possible_answer/BFCL_v4_simple_python.json"),
        answers,
    )
    .unwrap();
    std::fs::write(
        data.join("BFCL_v4_irrelevance.json"),
        format!("{}\n", json!({"id": "irrelevance_0", "question": [[{"role": "user", "content": "Who won in 1998?"}]], "function": [f]})),
    )
    .unwrap();
    std::fs::write(
        data.join("BFCL_v4_multi_turn_base.json"),
        "{\"id\": \"multi_turn_base_0\"}\n{\"id\": \"multi_turn_base_1\"}\n",
    )
    .unwrap();
    let info = dir.join("bfcl_eval-2026.3.23.dist-info");
    std::fs::create_dir_all(&info).unwrap();
    std::fs::write(
        info.join("METADATA"),
        "Metadata-Version: 2.4\nName: bfcl_eval\nVersion: 2026.3.23\nLicense: Apache 2.0\n\n# readme\n",
    )
    .unwrap();
}

#[test]
fn the_command_writes_one_pack_per_category_and_names_what_it_skips() {
    let tmp = tempfile::tempdir().unwrap();
    fake_bfcl(tmp.path());
    let src = tmp.path().display().to_string();
    let out = tmp.path().join("packs");
    let out_s = out.display().to_string();
    let o = punie(&["import", "bfcl", &src, "--out", &out_s], tmp.path());
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}{}", text(&o.stderr));
    assert!(
        stdout.contains("bfcl-simple_python.json: 5 queries"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bfcl-irrelevance.json: 1 queries"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped category multi_turn_base (2 entries): multi-turn"),
        "{stdout}"
    );
    let pack: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("bfcl-simple_python.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(pack["pack"]["id"], "bfcl-simple_python");
    assert_eq!(pack["pack"]["version"], "2026.3.23");
    assert_eq!(pack["pack"]["toolset"], "_import/toolset-none.json");
    assert_eq!(pack["pack"]["integers"], "python");
    assert_eq!(pack["pack"]["enums"], "ignore");
    assert_eq!(pack["pack"]["optional_null"], true);
    assert!(pack["pack"]["description"]
        .as_str()
        .unwrap()
        .contains("Apache 2.0"));
    let q = &pack["query"][2];
    assert_eq!(
        q["expect"]["tool"][0]["args"]["z"],
        json!({"equals": 0, "optional": true})
    );
    assert!(out.join("_import/toolset-none.json").is_file());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("_import/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["categories"]["simple_python"]["queries"], 5);

    // A used --out is refused without --force.
    let o = punie(&["import", "bfcl", &src, "--out", &out_s], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--force"), "{}", text(&o.stderr));

    // A sample, and one category.
    let o = punie(
        &[
            "import",
            "bfcl",
            &src,
            "--out",
            &out_s,
            "--force",
            "--categories",
            "simple",
            "--sample",
            "2",
            "--seed",
            "3",
        ],
        tmp.path(),
    );
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}{}", text(&o.stderr));
    assert!(stdout.contains("2 queries (2 of 5 entries)"), "{stdout}");
    assert!(!stdout.contains("irrelevance"), "{stdout}");

    // An unsupported or unknown category is refused, naming the choices.
    let o = punie(
        &[
            "import",
            "bfcl",
            &src,
            "--out",
            &out_s,
            "--force",
            "--categories",
            "multi_turn_base",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("not supported"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn malformed_data_files_fail_with_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    fake_bfcl(tmp.path());
    let bad = tmp.path().join("bfcl_eval/data/BFCL_v4_irrelevance.json");
    std::fs::write(&bad, "{\"id\": \"irrelevance_0\",\n").unwrap();
    let out = tmp.path().join("packs").display().to_string();
    let o = punie(
        &[
            "import",
            "bfcl",
            &tmp.path().display().to_string(),
            "--out",
            &out,
        ],
        tmp.path(),
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("BFCL_v4_irrelevance.json"), "{err}");
    assert!(err.contains("line 1: not JSON"), "{err}");
    assert!(err.contains("fix:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn every_supported_category_of_the_real_wheel_converts() {
    let wheel = match bfcl::source::cached_wheel() {
        Ok(Some(w)) => w,
        Ok(None) => {
            eprintln!(
                "skipped: no bfcl-eval wheel at {} (bash scripts/bfcl/fetch-wheel.sh fetches it)",
                bfcl::source::cached_wheel_path().display()
            );
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let src = bfcl::source::open(Some(&wheel)).unwrap();
    assert_eq!(src.sha256.as_deref(), Some(bfcl::source::PINNED_SHA256));
    assert_eq!(src.version.as_deref(), Some(bfcl::source::PINNED_VERSION));
    let import = bfcl::import(&src, &Options::default()).unwrap();
    let got: Vec<(&str, usize, usize)> = import
        .packs
        .iter()
        .map(|p| (p.category.as_str(), p.entries, p.queries()))
        .collect();
    for (cat, entries, queries) in &got {
        eprintln!("{cat}: {queries} of {entries}");
        assert!(*queries + 2 >= *entries, "{cat}: {queries} of {entries}");
    }
    assert_eq!(got.len(), bfcl::CATEGORIES.len(), "{got:?}");
    let skipped: Vec<&str> = import.skipped.iter().map(|s| s.category.as_str()).collect();
    for c in [
        "simple_java",
        "simple_javascript",
        "multi_turn_base",
        "memory",
        "web_search",
        "format_sensitivity",
    ] {
        assert!(skipped.contains(&c), "{c} not among {skipped:?}");
    }
}

/// The round trip of issue 14: every imported pack passes `packs check`.
/// Ignored until the pack language of docs/query-packs.md ("Several calls…",
/// "More matchers", "Tools per query", "Type switches") is in the loader.
#[test]
fn imported_packs_pass_packs_check() {
    let tmp = tempfile::tempdir().unwrap();
    fake_bfcl(tmp.path());
    let out = tmp.path().join("packs");
    let o = punie(
        &[
            "import",
            "bfcl",
            &tmp.path().display().to_string(),
            "--out",
            &out.display().to_string(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = punie(
        &["packs", "check", "--queries", &out.display().to_string()],
        tmp.path(),
    );
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    // The real wheel too, when it is in the cache.
    if let Ok(Some(wheel)) = bfcl::source::cached_wheel() {
        let real = tmp.path().join("real");
        let o = punie(
            &[
                "import",
                "bfcl",
                &wheel.display().to_string(),
                "--out",
                &real.display().to_string(),
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        let o = punie(
            &["packs", "check", "--queries", &real.display().to_string()],
            tmp.path(),
        );
        assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    }
}

/// Agreement with BFCL's own checker (docs/bfcl.md): the pinned bfcl-eval in
/// its venv scores correct and mutated completions, punie-eval replays them,
/// and every disagreement must be a documented one. Needs PyPI (the wheel,
/// once) and the new pack language; run it with
/// `cargo test --test it import_bfcl::agreement -- --ignored`.
#[test]
fn agreement_with_bfcls_checker() {
    let work = tempfile::tempdir().unwrap();
    let o = std::process::Command::new("bash")
        .arg(crate::cli_support::repo("scripts/bfcl/agreement.sh"))
        .arg(work.path())
        .env("PUNIE_EVAL", env!("CARGO_BIN_EXE_punie-eval"))
        .output()
        .expect("run scripts/bfcl/agreement.sh");
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
}

/// The shipped `queries/bfcl-sample` (issue 14) is exactly what the
/// documented command writes from the pinned wheel, and every pack of it
/// passes `packs check`.
#[test]
fn shipped_sample_is_what_the_importer_writes() {
    let shipped = std::path::PathBuf::from(crate::cli_support::repo("queries/bfcl-sample"));
    let o = punie(
        &[
            "packs",
            "check",
            "--queries",
            &shipped.display().to_string(),
        ],
        &shipped,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("8 pack(s) ok"),
        "{}",
        text(&o.stdout)
    );
    let Ok(Some(wheel)) = bfcl::source::cached_wheel() else {
        eprintln!("skipped the byte comparison: no bfcl-eval wheel in the cache (bash scripts/bfcl/fetch-wheel.sh)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sample");
    let o = punie(
        &[
            "import", "bfcl", &wheel.display().to_string(), "--out", &out.display().to_string(),
            "--sample", "40", "--seed", "1", "--categories",
            "simple_python,multiple,parallel,parallel_multiple,irrelevance,live_simple,live_multiple,live_irrelevance",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for e in std::fs::read_dir(&shipped).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            let name = p.file_name().unwrap();
            let want = std::fs::read(out.join(name)).unwrap();
            assert!(
                std::fs::read(&p).unwrap() == want,
                "{} differs from the importer's output",
                name.to_string_lossy()
            );
        }
    }
}
