//! The floors of docs/architecture.md, checked from the code: a room of
//! the library imports (`crate::ROOM`) only rooms on its own floor or
//! below, and the producer (`run`) and the consumer (`report`) of results
//! do not know each other. Read as text, like `grep -rn "crate::" src`.

use std::path::{Path, PathBuf};

/// Floor of each top-level room of `src/` (higher = further up).
fn floor(room: &str) -> Option<u8> {
    Some(match room {
        "bench" | "sources" => 4,
        "run" | "report" => 3,
        "results" => 2,
        "provision" | "import" => 1,
        "parse" | "schema" | "suite" | "score" | "plugin" | "model" | "runtime" | "arch"
        | "chat" | "gguf" | "stats" | "cache" | "text" | "problem" => 0,
        _ => return None,
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_room_imports_a_room_above_it() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    let mut unknown = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let room = first.trim_end_matches(".rs").to_string();
        if ["cli", "main", "lib"].contains(&room.as_str()) {
            continue; // the command line sits on top; lib.rs only declares
        }
        let Some(mine) = floor(&room) else {
            unknown.push(room);
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (at, _) in code.match_indices("crate::") {
                let target: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let Some(theirs) = floor(&target) else {
                    continue;
                };
                let across = matches!(
                    (room.as_str(), target.as_str()),
                    ("run", "report") | ("report", "run")
                );
                if theirs > mine || across {
                    upward.push(format!(
                        "src/{}:{}: {room} → {target}",
                        rel.display(),
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "rooms without a floor (add them to docs/architecture.md and here): {unknown:?}"
    );
    assert!(
        upward.is_empty(),
        "imports that run upward:\n{}",
        upward.join("\n")
    );
}
