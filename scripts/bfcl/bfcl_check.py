#!/usr/bin/env python3
"""Scores completions with BFCL's own checker (bfcl-eval, pinned in
scripts/requirements/bfcl-eval.txt; run with the venv of scripts/bfcl/venv.sh).

    python bfcl_check.py --completions completions.jsonl --out bfcl.jsonl [--data DIR]
    python bfcl_check.py --self-test

Input: JSON Lines {"id", "category", "mutation", "completion"} (what
gen_completions.py writes). Output: JSON Lines {"id", "category", "mutation",
"pass", "error_type"}.

The completions are in Qwen3's `<tool_call>` JSON form, decoded as BFCL's
Qwen FC handler decodes them (model_handler/local_inference/qwen_fc.py,
copied below: importing the handler would pull in its API clients), then
checked as eval_checker/eval_runner.py does: `ast_checker` for the AST
categories (Python rules), decode success for relevance / irrelevance.

The checker module imports `MODEL_CONFIG_MAPPING`, whose module imports every
model handler and with them openai, anthropic, … . Only its
`underscore_to_dot` flag is read (for dotted function names); it is stubbed
here with underscore_to_dot = False, as BFCL's Qwen FC models have it.
"""

import argparse
import importlib.util
import json
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

MODEL_NAME = "punie-eval"


@dataclass
class _StubConfig:
    underscore_to_dot: bool = False


def _load_checker():
    stub = types.ModuleType("bfcl_eval.constants.model_config")
    stub.MODEL_CONFIG_MAPPING = {MODEL_NAME: _StubConfig()}
    sys.modules["bfcl_eval.constants.model_config"] = stub
    from bfcl_eval.constants.enums import Language
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

    return ast_checker, Language


def package_dir() -> Path:
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("bfcl_check.py: bfcl_eval is not importable; run it with the venv of scripts/bfcl/venv.sh")
    return Path(list(spec.submodule_search_locations)[0])


# --- Qwen FC decoding, as bfcl_eval/model_handler/local_inference/qwen_fc.py
# (bfcl-eval 2026.3.23): `_extract_tool_calls` and `decode_ast`.
_TOOL_CALL = r"<tool_call>\n(.*?)\n</tool_call>"


def _extract_tool_calls(input_string):
    matches = re.findall(_TOOL_CALL, input_string, re.DOTALL)
    result = []
    for match in matches:
        try:
            match = json.loads(match)
            result.append(match)
        except Exception:
            pass
    return result


def decode_ast(result):
    tool_calls = _extract_tool_calls(result)
    if type(tool_calls) != list or any(type(item) != dict for item in tool_calls):
        raise ValueError(f"Model did not return a list of function calls: {result}")
    return [{call["name"]: {k: v for k, v in call["arguments"].items()}} for call in tool_calls]


# --- bfcl_eval/utils.py (2026.3.23): is_function_calling_format_output, is_empty_output.
def is_function_calling_format_output(decoded_output):
    if type(decoded_output) != list:
        return False
    for item in decoded_output:
        if type(item) != dict:
            return False
        if len(item) != 1:
            return False
        if type(list(item.values())[0]) != dict:
            return False
    return True


def is_empty_output(decoded_output):
    if not is_function_calling_format_output(decoded_output):
        return True
    if len(decoded_output) == 0:
        return True
    if len(decoded_output) == 1 and len(decoded_output[0]) == 0:
        return True
    return False


def check_installed_source(pkg: Path):
    """The copies above must still match the installed bfcl-eval."""
    qwen = (pkg / "model_handler/local_inference/qwen_fc.py").read_text()
    assert 'pattern = r"<tool_call>\\n(.*?)\\n</tool_call>"' in qwen, "qwen_fc.py's tool-call pattern changed"
    assert '{call["name"]: {k: v for k, v in call["arguments"].items()}}' in qwen, "qwen_fc.py's decode_ast changed"
    utils = (pkg / "utils.py").read_text()
    assert "if len(decoded_output) == 1 and len(decoded_output[0]) == 0:" in utils, "utils.is_empty_output changed"


def score(entry, answer, category, completion, ast_checker, Language):
    """(pass, error_type) as eval_runner.py's single-entry helpers decide."""
    if "relevance" in category:  # relevance and irrelevance
        try:
            decoded = decode_ast(completion)
            contains_call = not is_empty_output(decoded)
        except Exception:
            contains_call = False
        ok = (not contains_call) if "irrelevance" in category else contains_call
        kind = "irrelevance_error:decoder_success" if "irrelevance" in category else "relevance_error:decoder_failed"
        return ok, (None if ok else kind)
    try:
        decoded = decode_ast(completion)
    except Exception:
        return False, "ast_decoder:decoder_failed"
    if not is_function_calling_format_output(decoded):
        return False, "ast_decoder:decoder_wrong_output_format"
    try:
        result = ast_checker(entry["function"], decoded, answer["ground_truth"], Language.PYTHON, category, MODEL_NAME)
    except Exception as e:  # BFCL's runner would stop here; count it as a failure, named
        return False, f"checker_exception:{type(e).__name__}"
    return bool(result["valid"]), (None if result["valid"] else result.get("error_type"))


def load_data(data: Path, categories):
    entries, answers = {}, {}
    for cat in categories:
        for f in sorted(f for f in data.glob("BFCL_v*.json") if re.fullmatch(rf"BFCL_v\d+_{re.escape(cat)}\.json", f.name)):
            for line in f.read_text().splitlines():
                if line.strip():
                    e = json.loads(line)
                    entries[e["id"]] = e
            pa = data / "possible_answer" / f.name
            if pa.exists():
                for line in pa.read_text().splitlines():
                    if line.strip():
                        a = json.loads(line)
                        answers[a["id"]] = a
    return entries, answers


def self_test():
    pkg = package_dir()
    check_installed_source(pkg)
    ast_checker, Language = _load_checker()
    fn = [{"name": "spotify.play", "description": "", "parameters": {"type": "dict", "properties": {
        "artist": {"type": "string"}, "duration": {"type": "integer"}}, "required": ["artist", "duration"]}}]
    gt = [{"spotify.play": {"artist": ["Taylor Swift"], "duration": [20]}},
          {"spotify.play": {"artist": ["Maroon 5"], "duration": [15]}}]
    call = lambda a, d: '<tool_call>\n{"name": "spotify.play", "arguments": {"artist": "%s", "duration": %s}}\n</tool_call>' % (a, d)
    both = call("taylor swift", 20) + "\n" + call("Maroon 5", 15)
    assert score({"function": fn}, {"ground_truth": gt}, "parallel", both, ast_checker, Language)[0]
    assert not score({"function": fn}, {"ground_truth": gt}, "parallel", call("Maroon 5", 15), ast_checker, Language)[0]
    assert not score({"function": fn}, {"ground_truth": gt}, "parallel", both.replace("20", "20.0"), ast_checker, Language)[0]
    print(f"ok: BFCL's checker from {pkg}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--completions", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--data", type=Path, help="BFCL data folder (default: the installed bfcl_eval/data)")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        self_test()
        return
    if not args.completions or not args.out:
        ap.error("--completions and --out are required")
    pkg = package_dir()
    check_installed_source(pkg)
    ast_checker, Language = _load_checker()
    rows = [json.loads(l) for l in args.completions.read_text().splitlines() if l.strip()]
    data = args.data or pkg / "data"
    entries, answers = load_data(data, sorted({r["category"] for r in rows}))
    with args.out.open("w") as out:
        for r in rows:
            e = entries.get(r["id"])
            if e is None:
                sys.exit(f"bfcl_check.py: {args.completions}: entry {r['id']!r} is not in {data}")
            ok, err = score(e, answers.get(r["id"]), r["category"], r["completion"], ast_checker, Language)
            out.write(json.dumps({"id": r["id"], "category": r["category"], "mutation": r["mutation"],
                                  "pass": ok, "error_type": err}) + "\n")
    print(f"scored {len(rows)} completions into {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
