//! Rules serde cannot express: unique ids, exactly one of `user` and
//! `messages`, sane generation settings, and (once the toolset is known)
//! expectations naming only tools and arguments that exist.

use super::catalog::{suggest, ToolCatalog};
use super::expect::Expect;
use super::load::Seg;
use super::pack::{Pack, Role};
use std::collections::HashMap;

/// (where, what, how to fix).
pub type Found = (Vec<Seg>, String, String);

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

fn at(i: usize, rest: &[&str]) -> Vec<Seg> {
    let mut p = vec![key("query"), Seg::Index(i)];
    p.extend(rest.iter().map(|k| key(k)));
    p
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
}

/// Works on any form of `expect` (the loader runs it before expectations
/// are parsed, so a pack's problems are reported together).
pub fn structure<E>(pack: &Pack<E>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let meta = &pack.pack;
    let mut push = |p: Vec<Seg>, m: String, f: &str| out.push((p, m, f.to_string()));

    if !valid_id(&meta.id) {
        push(
            vec![key("pack"), key("id")],
            format!("pack id {:?} is not a valid id", meta.id),
            "use letters, digits and _ - . : starting with a letter or digit",
        );
    }
    if meta.version.trim().is_empty() {
        push(
            vec![key("pack"), key("version")],
            "pack version is empty".into(),
            "give the pack a version, e.g. version = \"1\"; bump it when queries change",
        );
    }
    if meta.toolset.trim().is_empty() {
        push(
            vec![key("pack"), key("toolset")],
            "toolset is empty".into(),
            "name a builtin toolset or a toolset file relative to the pack",
        );
    }
    let g = &meta.generation;
    let gen = |k: &str| vec![key("pack"), key("generation"), key(k)];
    if g.max_tokens == 0 {
        push(
            gen("max_tokens"),
            "max_tokens is 0".into(),
            "allow at least one token (Punie used 512)",
        );
    }
    if !(g.temperature.is_finite() && g.temperature >= 0.0) {
        push(
            gen("temperature"),
            format!("temperature {} is negative or not a number", g.temperature),
            "use 0 for greedy decoding or a positive temperature",
        );
    }
    if !(g.top_p > 0.0 && g.top_p <= 1.0) {
        push(
            gen("top_p"),
            format!("top_p {} is outside (0, 1]", g.top_p),
            "use a value in (0, 1]; 1 disables nucleus sampling",
        );
    }
    if let Some(i) = g.stop.iter().position(String::is_empty) {
        push(
            vec![key("pack"), key("generation"), key("stop"), Seg::Index(i)],
            "a stop string is empty".into(),
            "remove it: an empty stop string would end every completion at once",
        );
    }
    if pack.queries.is_empty() {
        push(
            vec![],
            "the pack has no queries".into(),
            "add at least one [[query]] table with id, user and expect",
        );
    }

    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    for (i, q) in pack.queries.iter().enumerate() {
        if !valid_id(&q.id) {
            push(
                at(i, &["id"]),
                format!("query id {:?} is not a valid id", q.id),
                "use letters, digits and _ - . : starting with a letter or digit",
            );
        } else if let Some(&j) = first_seen.get(q.id.as_str()) {
            push(
                at(i, &["id"]),
                format!("duplicate query id {:?} (also query[{j}])", q.id),
                "give every query of the pack its own id",
            );
        } else {
            first_seen.insert(&q.id, i);
        }
        let name = format!("query {:?}", q.id);
        match (&q.user, &q.messages) {
            (None, None) => push(
                at(i, &[]),
                format!("{name} has no user text"),
                "add user = \"…\" (or messages = [{ role = \"user\", content = \"…\" }])",
            ),
            (Some(_), Some(_)) => push(
                at(i, &["messages"]),
                format!("{name} has both `user` and `messages`"),
                "keep one: `user` for a single turn, `messages` for a conversation",
            ),
            (Some(u), None) if u.trim().is_empty() => push(
                at(i, &["user"]),
                format!("{name} has an empty user text"),
                "write the user's request in `user`",
            ),
            (None, Some(msgs)) => check_messages(i, &name, msgs, &mut push),
            _ => {}
        }
        if q.system_prompt
            .as_deref()
            .is_some_and(|s| s.trim().is_empty())
        {
            push(
                at(i, &["system_prompt"]),
                format!("{name} has an empty system_prompt"),
                "remove it to use the pack's system prompt, or write one",
            );
        }
        if let Some(tools) = &q.tools {
            // `tools = []` with `tools_mode = "only"` offers no tools at all
            // (BFCL's irrelevance entries); added to the pack's, it adds nothing.
            if tools.is_empty() && q.tools_mode == super::pack::ToolsMode::Add {
                push(
                    at(i, &["tools"]),
                    format!("{name} has an empty tools list, which adds nothing"),
                    "give the query's tool schemas, use tools_mode = \"only\" to offer no \
                     tools at all, or remove `tools`",
                );
            }
            if let Err(wrong) = q.own_tools("") {
                for (j, issues) in wrong {
                    let mut p = at(i, &["tools"]);
                    p.push(Seg::Index(j));
                    let shown: Vec<String> = issues
                        .iter()
                        .map(|x| {
                            format!(
                                "{}: {}",
                                if x.pointer.is_empty() {
                                    "/"
                                } else {
                                    &x.pointer
                                },
                                x.message
                            )
                        })
                        .collect();
                    push(
                        p,
                        format!(
                            "{name}: tools[{j}] is not a usable tool schema: {}",
                            shown.join("; ")
                        ),
                        "a JSON Schema object with \"x-tool-name\", \"type\": \"object\" and \
                         `properties` (docs/query-packs.md, Tools per query)",
                    );
                }
            }
        } else if q.tools_mode == super::pack::ToolsMode::Only {
            push(
                at(i, &["tools_mode"]),
                format!("{name} has tools_mode = \"only\" but no tools"),
                "add the query's tools, or remove tools_mode",
            );
        }
        for (t, tag) in q.tags.iter().enumerate() {
            let path = {
                let mut p = at(i, &["tags"]);
                p.push(Seg::Index(t));
                p
            };
            if tag.trim().is_empty() {
                push(path, format!("{name} has an empty tag"), "remove it");
            } else if q.tags[..t].contains(tag) {
                push(
                    path,
                    format!("{name} has tag {tag:?} twice"),
                    "list each tag once",
                );
            }
        }
    }
    out
}

fn check_messages(
    i: usize,
    name: &str,
    msgs: &[super::pack::Message],
    push: &mut impl FnMut(Vec<Seg>, String, &str),
) {
    let path = |m: usize| {
        let mut p = at(i, &["messages"]);
        p.push(Seg::Index(m));
        p
    };
    let Some(last) = msgs.last() else {
        push(
            at(i, &["messages"]),
            format!("{name} has an empty messages list"),
            "add at least one { role = \"user\", content = \"…\" }",
        );
        return;
    };
    for (m, msg) in msgs.iter().enumerate() {
        if msg.role == Role::System && m != 0 {
            push(
                path(m),
                format!("{name}: a system message at position {m}"),
                "put the system message first (or use system_prompt)",
            );
        }
        if msg.content.trim().is_empty() && msg.role != Role::Assistant {
            push(
                path(m),
                format!("{name}: message {m} has empty content"),
                "write the message's content",
            );
        }
    }
    if !msgs.iter().any(|m| m.role == Role::User) {
        push(
            at(i, &["messages"]),
            format!("{name} has no user message"),
            "add a { role = \"user\", content = \"…\" } message",
        );
    } else if last.role == Role::Assistant {
        push(
            path(msgs.len() - 1),
            format!("{name}: the conversation ends with an assistant message"),
            "end with the user (or tool result) turn the model must answer",
        );
    }
}

pub fn tools(pack: &Pack, base: &dyn ToolCatalog) -> Vec<Found> {
    let mut out = Vec::new();
    for (i, q) in pack.queries.iter().enumerate() {
        let Expect::Tool(t) = &q.expect else { continue };
        // A query's own tools (compiled: structure checked them already).
        let own = q.own_tools("").unwrap_or_default();
        let with_own;
        let catalog: &dyn ToolCatalog = if own.is_empty() {
            base
        } else {
            with_own = QueryCatalog {
                base: (q.tools_mode == super::pack::ToolsMode::Add).then_some(base),
                own: &own,
            };
            &with_own
        };
        let names = catalog.tool_names();
        let toolset = catalog.toolset_name();
        for (j, tool) in t.tools.iter().enumerate() {
            let mut path = at(i, &["expect", "tool"]);
            if t.tools.len() > 1 || !tool.args.is_empty() {
                path.push(Seg::Index(j));
            }
            let Some(arg_names) = catalog.argument_names(&tool.name) else {
                let hint = suggest(&tool.name, names.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                out.push((
                    path,
                    format!(
                        "query {:?} expects tool `{}`, which is not in toolset {toolset}",
                        q.id, tool.name
                    ),
                    format!("{hint}the tools are: {}", names.join(", ")),
                ));
                continue;
            };
            for (arg, _) in &tool.args {
                if !arg_names.contains(arg) {
                    let hint = suggest(arg, arg_names.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    out.push((
                        path.clone(),
                        format!(
                            "query {:?} expects argument `{arg}` of `{}`, which has no such \
                             argument",
                            q.id, tool.name
                        ),
                        format!("{hint}its arguments are: {}", arg_names.join(", ")),
                    ));
                }
            }
        }
    }
    out
}

/// The tools a query with its own tools is checked against.
struct QueryCatalog<'a> {
    base: Option<&'a dyn ToolCatalog>,
    own: &'a [crate::schema::ToolSchema],
}

impl ToolCatalog for QueryCatalog<'_> {
    fn toolset_name(&self) -> String {
        match self.base {
            Some(b) => format!("{} + the query's tools", b.toolset_name()),
            None => "the query's tools".to_string(),
        }
    }
    fn tool_names(&self) -> Vec<String> {
        let mut names = self.base.map(|b| b.tool_names()).unwrap_or_default();
        names.extend(self.own.iter().map(|t| t.name().to_string()));
        names
    }
    fn argument_names(&self, tool: &str) -> Option<Vec<String>> {
        match self.own.iter().find(|t| t.name() == tool) {
            Some(t) => Some(
                t.schema()
                    .get("properties")
                    .and_then(|p| p.as_object())
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default(),
            ),
            None => self.base?.argument_names(tool),
        }
    }
}
