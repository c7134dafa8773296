//! The "validate a toolset change" workflow as a plugin: Punie's Phase 32
//! added 12 tools (3 LibCST code tools, 9 domain validators) to the 14 of
//! Phase 27. This pack keeps the Phase 27 toolset and brings the 12 new tool
//! schemas itself, with a request that needs each new tool and a question on
//! the same topic that does not — so a model (or a saved transcript set) is
//! scored against the *changed* toolset without rebuilding punie-eval.
//!
//! The schemas are compiled into the plugin (`include_str!` of the schema
//! files punie-eval ships, JSON Schema 2020-12 with `x-tool-name`); nothing
//! is read at run time.

use punie_eval_plugin::export_plugin;
use serde_json::{json, Value};

/// The 12 Phase 32 extras, in Punie's order (tool_signatures.json).
const TOOLS: &[(&str, &str)] = &[
    (
        "cst_find_pattern",
        include_str!("../../../schemas/tools/cst_find_pattern.json"),
    ),
    (
        "cst_rename",
        include_str!("../../../schemas/tools/cst_rename.json"),
    ),
    (
        "cst_add_import",
        include_str!("../../../schemas/tools/cst_add_import.json"),
    ),
    (
        "validate_component",
        include_str!("../../../schemas/tools/validate_component.json"),
    ),
    (
        "check_render_tree",
        include_str!("../../../schemas/tools/check_render_tree.json"),
    ),
    (
        "validate_escape_context",
        include_str!("../../../schemas/tools/validate_escape_context.json"),
    ),
    (
        "validate_service_registration",
        include_str!("../../../schemas/tools/validate_service_registration.json"),
    ),
    (
        "check_dependency_graph",
        include_str!("../../../schemas/tools/check_dependency_graph.json"),
    ),
    (
        "validate_injection_site",
        include_str!("../../../schemas/tools/validate_injection_site.json"),
    ),
    (
        "validate_middleware_chain",
        include_str!("../../../schemas/tools/validate_middleware_chain.json"),
    ),
    (
        "check_di_template_binding",
        include_str!("../../../schemas/tools/check_di_template_binding.json"),
    ),
    (
        "validate_route_pattern",
        include_str!("../../../schemas/tools/validate_route_pattern.json"),
    ),
];

/// (tool, request needing it, its file_path regex, extra args, knowledge question).
#[allow(clippy::type_complexity)]
const QUERIES: &[(&str, &str, &str, &[(&str, &str)], &str)] = &[
    ("cst_find_pattern", "Find every class definition in src/shop/models.py.", r"src/shop/models\.py$", &[("pattern", "^ClassDef$")],
     "What is a concrete syntax tree, and how does it differ from an abstract syntax tree?"),
    ("cst_rename", "Rename the function calc_total to compute_total in src/shop/cart.py.", r"src/shop/cart\.py$", &[("old_name", "^calc_total$"), ("new_name", "^compute_total$")],
     "Why is renaming with a syntax-aware tool safer than search and replace?"),
    ("cst_add_import", "Add `from typing import Optional` to src/shop/cart.py.", r"src/shop/cart\.py$", &[("import_stmt", "Optional")],
     "When should I use `from x import y` rather than `import x`?"),
    ("validate_component", "Validate the tdom components in src/ui/components/card.py.", r"card\.py$", &[],
     "What makes a good reusable UI component?"),
    ("check_render_tree", "Check the render tree composition of src/ui/pages/home.py.", r"home\.py$", &[],
     "What is a render tree in a component framework?"),
    ("validate_escape_context", "Make sure src/ui/components/comment.py uses t-strings in its html() calls.", r"comment\.py$", &[],
     "Why are f-strings dangerous for building HTML?"),
    ("validate_service_registration", "Validate the svcs service registrations in src/app/services.py.", r"services\.py$", &[],
     "What is a service locator, and how does it differ from dependency injection?"),
    ("check_dependency_graph", "Check src/app/services.py for dependency layer violations.", r"services\.py$", &[],
     "Why should the domain layer not import from the web layer?"),
    ("validate_injection_site", "Validate the Inject[] fields in src/app/views.py.", r"views\.py$", &[],
     "What does constructor injection mean?"),
    ("validate_middleware_chain", "Validate the middleware in src/app/middleware.py.", r"middleware\.py$", &[],
     "In what order does middleware usually run on a request and its response?"),
    ("check_di_template_binding", "Check that the DI components in src/ui/pages/profile.py get their context in html() calls.", r"profile\.py$", &[],
     "How do templates usually receive their context data?"),
    ("validate_route_pattern", "Validate the route patterns in src/app/routes.py.", r"routes\.py$", &[],
     "What is the difference between a path parameter and a query parameter?"),
];

fn pack() -> Result<Value, String> {
    let mut tools = Vec::new();
    for (name, text) in TOOLS {
        let schema: Value = serde_json::from_str(text)
            .map_err(|e| format!("embedded schema of {name} is not JSON: {e}"))?;
        tools.push(schema);
    }
    let mut queries = Vec::new();
    for (tool, request, path, extra, question) in QUERIES {
        let mut args = json!({ "file_path": { "regex": path } });
        for (arg, re) in *extra {
            args[*arg] = json!({ "regex": re });
        }
        queries.push(json!({
            "id": format!("{tool}-request"),
            "user": request,
            "tags": [tool, "phase32", "needs-tool"],
            "expect": { "tool": tool, "args": args },
        }));
        queries.push(json!({
            "id": format!("{tool}-question"),
            "user": question,
            "tags": [tool, "phase32"],
            "expect": "direct",
        }));
    }
    Ok(json!({
        "pack": {
            "id": "toolset-change-phase32",
            "version": "1",
            "description": "Punie's Phase 32 toolset change: the 12 LibCST / domain-validation tools added to the 14 Phase 27 tools, each from both sides.",
            "toolset": "punie-phase27",
            "system_prompt": "You are Punie, an AI coding assistant that helps with Python development via PyCharm.",
        },
        "query": queries,
        "tools": tools,
    }))
}

export_plugin! {
    id: "toolset-change-phase32",
    version: "1.0.0",
    description: "Punie's Phase 32 extras (12 tools with schemas) added to punie-phase27, with queries",
    pack: pack,
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_tool_has_its_schema_and_queries() {
        let p = super::pack().unwrap();
        let tools = p["tools"].as_array().unwrap();
        assert_eq!(tools.len(), 12);
        for (t, (name, _)) in tools.iter().zip(super::TOOLS) {
            assert_eq!(t["x-tool-name"], *name);
        }
        assert_eq!(p["query"].as_array().unwrap().len(), 24);
    }
}
