//! The built-in schema files, compiled into the binary so the default
//! toolsets work from any working directory (and in installed binaries).

/// `(path relative to schemas/, contents)` of every built-in tool schema.
pub(crate) const TOOLS: &[(&str, &str)] = &[
    (
        "tools/check_dependency_graph.json",
        include_str!("../../schemas/tools/check_dependency_graph.json"),
    ),
    (
        "tools/check_di_template_binding.json",
        include_str!("../../schemas/tools/check_di_template_binding.json"),
    ),
    (
        "tools/check_render_tree.json",
        include_str!("../../schemas/tools/check_render_tree.json"),
    ),
    (
        "tools/cst_add_import.json",
        include_str!("../../schemas/tools/cst_add_import.json"),
    ),
    (
        "tools/cst_find_pattern.json",
        include_str!("../../schemas/tools/cst_find_pattern.json"),
    ),
    (
        "tools/cst_rename.json",
        include_str!("../../schemas/tools/cst_rename.json"),
    ),
    (
        "tools/document_symbols.json",
        include_str!("../../schemas/tools/document_symbols.json"),
    ),
    (
        "tools/find_references.json",
        include_str!("../../schemas/tools/find_references.json"),
    ),
    (
        "tools/git_diff.json",
        include_str!("../../schemas/tools/git_diff.json"),
    ),
    (
        "tools/git_log.json",
        include_str!("../../schemas/tools/git_log.json"),
    ),
    (
        "tools/git_status.json",
        include_str!("../../schemas/tools/git_status.json"),
    ),
    (
        "tools/goto_definition.json",
        include_str!("../../schemas/tools/goto_definition.json"),
    ),
    (
        "tools/hover.json",
        include_str!("../../schemas/tools/hover.json"),
    ),
    (
        "tools/pytest_run.json",
        include_str!("../../schemas/tools/pytest_run.json"),
    ),
    (
        "tools/read_file.json",
        include_str!("../../schemas/tools/read_file.json"),
    ),
    (
        "tools/ruff_check.json",
        include_str!("../../schemas/tools/ruff_check.json"),
    ),
    (
        "tools/run_command.json",
        include_str!("../../schemas/tools/run_command.json"),
    ),
    (
        "tools/typecheck.json",
        include_str!("../../schemas/tools/typecheck.json"),
    ),
    (
        "tools/validate_component.json",
        include_str!("../../schemas/tools/validate_component.json"),
    ),
    (
        "tools/validate_escape_context.json",
        include_str!("../../schemas/tools/validate_escape_context.json"),
    ),
    (
        "tools/validate_injection_site.json",
        include_str!("../../schemas/tools/validate_injection_site.json"),
    ),
    (
        "tools/validate_middleware_chain.json",
        include_str!("../../schemas/tools/validate_middleware_chain.json"),
    ),
    (
        "tools/validate_route_pattern.json",
        include_str!("../../schemas/tools/validate_route_pattern.json"),
    ),
    (
        "tools/validate_service_registration.json",
        include_str!("../../schemas/tools/validate_service_registration.json"),
    ),
    (
        "tools/workspace_symbols.json",
        include_str!("../../schemas/tools/workspace_symbols.json"),
    ),
    (
        "tools/write_file.json",
        include_str!("../../schemas/tools/write_file.json"),
    ),
];

/// `(name, path relative to schemas/, contents)` of every built-in toolset.
pub(crate) const TOOLSETS: &[(&str, &str, &str)] = &[
    (
        "punie-phase27",
        "toolsets/punie-phase27.json",
        include_str!("../../schemas/toolsets/punie-phase27.json"),
    ),
    (
        "punie-phase33",
        "toolsets/punie-phase33.json",
        include_str!("../../schemas/toolsets/punie-phase33.json"),
    ),
];

/// The contents of a built-in tool file, by a reference as written in a
/// toolset (`../tools/typecheck.json`, `tools/typecheck.json` or
/// `typecheck.json`): the file name decides.
pub(crate) fn tool_file(reference: &str) -> Option<(&'static str, &'static str)> {
    let file = reference.rsplit(['/', '\\']).next()?;
    TOOLS
        .iter()
        .find(|(path, _)| path.rsplit('/').next() == Some(file))
        .map(|(path, text)| (*path, *text))
}
