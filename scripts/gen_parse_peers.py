#!/usr/bin/env python3
"""Writes tests/fixtures/parse_peers.jsonl: test strings from the serving
engines' own tool-call parser test suites, with the calls those suites
expect, and the provenance of every case (project, file, test name).

The strings are transcribed from the peers' tests (no code of theirs is
run). Engines parse what is inside their call markers; where a peer's test
hands its parser only the inside of a `<tool_call>` block (mlx-lm, Ollama's
tool parser), the case wraps it in `<tool_call>\\n…\\n</tool_call>` as the
engine's server does, and says so in `wrapped`.

`expect.called`: whether the peer reports tool calls; `expect.calls`: the
names and arguments it returns. `policy`: where punie-eval differs on
purpose, why (docs/parse.md, "Agreement with the serving engines").

Run: python3 scripts/gen_parse_peers.py  (no dependencies)
"""

import json
from pathlib import Path

VLLM_QC = ("vllm", "tests/tool_parsers/test_qwen3coder_tool_parser.py")
VLLM_H = ("vllm", "tests/tool_parsers/test_hermes_tool_parser.py")
MLX = ("mlx-lm", "tests/test_tool_parsing.py")
OLLAMA = ("ollama", "model/parsers/qwen3coder_test.go")
SGL_QC = ("sglang", "test/registered/unit/function_call/test_qwen3_coder_detector.py")
SGL_NUM = ("sglang", "test/registered/unit/function_call/test_qwen3_coder_numeric_precision.py")
SGL_ZERO = ("sglang", "test/registered/unit/function_call/test_zero_argument_tool_call.py")

WEATHER = {
    "name": "get_current_weather",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "state": {"type": "string"},
            "unit": {"type": "string", "enum": ["fahrenheit", "celsius"]},
        },
        "required": ["city", "state"],
    },
}
AREA = {
    "name": "calculate_area",
    "parameters": {
        "type": "object",
        "properties": {
            "shape": {"type": "string"},
            "dimensions": {"type": "object"},
            "precision": {"type": "integer"},
        },
    },
}
VLLM_TOOLS = [WEATHER, AREA]

cases = []


def case(peer, test, fmt, completion, called, calls=(), tools=(), wrapped=False, policy=None):
    project, file = peer
    c = {
        "project": project,
        "file": file,
        "test": test,
        "format": fmt,
        "tools": list(tools),
        "completion": completion,
        "wrapped": wrapped,
        "expect": {
            "called": called,
            "calls": [{"name": n, "arguments": a} for n, a in calls],
        },
    }
    if policy:
        c["policy"] = policy
    cases.append(c)


def wrap(inner):
    return "<tool_call>\n" + inner + "\n</tool_call>"


# ---------------- vLLM: Qwen3-Coder ----------------
DALLAS = {"city": "Dallas", "state": "TX", "unit": "fahrenheit"}
WEATHER_XML = """<tool_call>
<function=get_current_weather>
<parameter=city>
Dallas
</parameter>
<parameter=state>
TX
</parameter>
<parameter=unit>
fahrenheit
</parameter>
</function>
</tool_call>"""
case(VLLM_QC, "test_extract_tool_calls_no_tools", "qwen_xml",
     "This is a test response without any tool calls", False, tools=VLLM_TOOLS)
case(VLLM_QC, "test_extract_tool_calls[single_tool]", "qwen_xml", WEATHER_XML, True,
     [("get_current_weather", DALLAS)], VLLM_TOOLS)
case(VLLM_QC, "test_extract_tool_calls[single_tool_with_content]", "qwen_xml",
     "Sure! Let me check the weather for you." + WEATHER_XML, True,
     [("get_current_weather", DALLAS)], VLLM_TOOLS)
case(VLLM_QC, "test_extract_tool_calls[single_tool_multiline_param]", "qwen_xml",
     """<tool_call>
<function=calculate_area>
<parameter=shape>
rectangle
</parameter>
<parameter=dimensions>
{"width": 10, 
 "height": 20}
</parameter>
<parameter=precision>
2
</parameter>
</function>
</tool_call>""", True,
     [("calculate_area", {"shape": "rectangle", "dimensions": {"width": 10, "height": 20}, "precision": 2})],
     VLLM_TOOLS)
case(VLLM_QC, "test_extract_tool_calls[parallel_tools]", "qwen_xml",
     WEATHER_XML + "\n" + WEATHER_XML.replace("Dallas", "Orlando").replace("TX", "FL"), True,
     [("get_current_weather", DALLAS),
      ("get_current_weather", {"city": "Orlando", "state": "FL", "unit": "fahrenheit"})],
     VLLM_TOOLS)
case(VLLM_QC, "test_extract_tool_calls[tool_with_typed_params]", "qwen_xml",
     """Let me calculate that area for you.<tool_call>
<function=calculate_area>
<parameter=shape>
circle
</parameter>
<parameter=dimensions>
{"radius": 15.5}
</parameter>
<parameter=precision>
3
</parameter>
</function>
</tool_call>""", True,
     [("calculate_area", {"shape": "circle", "dimensions": {"radius": 15.5}, "precision": 3})],
     VLLM_TOOLS)
case(VLLM_QC, "test_extract_tool_calls_fallback_no_tags", "qwen_xml",
     """<function=get_current_weather>
<parameter=city>
Dallas
</parameter>
<parameter=state>
TX
</parameter>
</function>""", True, [("get_current_weather", {"city": "Dallas", "state": "TX"})], VLLM_TOOLS)
case(VLLM_QC, "test_extract_tool_calls_type_conversion", "qwen_xml",
     """<tool_call>
<function=test_types>
<parameter=int_param>
42
</parameter>
<parameter=float_param>
3.14
</parameter>
<parameter=bool_param>
true
</parameter>
<parameter=str_param>
hello world
</parameter>
<parameter=obj_param>
{"key": "value"}
</parameter>
</function>
</tool_call>""", True,
     [("test_types", {"int_param": 42, "float_param": 3.14, "bool_param": True,
                      "str_param": "hello world", "obj_param": {"key": "value"}})],
     [{"name": "test_types", "parameters": {"type": "object", "properties": {
         "int_param": {"type": "integer"}, "float_param": {"type": "float"},
         "bool_param": {"type": "boolean"}, "str_param": {"type": "string"},
         "obj_param": {"type": "object"}}}}])
case(VLLM_QC, "test_extract_tool_calls_anyof_type_conversion", "qwen_xml",
     """<tool_call>
<function=test_anyof>
<parameter=anyof_int>
5
</parameter>
<parameter=anyof_str>
hello
</parameter>
<parameter=anyof_array>
["a", "b", "c"]
</parameter>
<parameter=anyof_obj>
{"key": "value"}
</parameter>
<parameter=type_as_array>
42
</parameter>
<parameter=multi_non_null>
some text
</parameter>
</function>
</tool_call>""", True,
     [("test_anyof", {"anyof_int": 5, "anyof_str": "hello", "anyof_array": ["a", "b", "c"],
                      "anyof_obj": {"key": "value"}, "type_as_array": 42,
                      "multi_non_null": "some text"})],
     [{"name": "test_anyof", "parameters": {"type": "object", "properties": {
         "anyof_int": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": 5},
         "anyof_str": {"anyOf": [{"type": "string"}, {"type": "null"}]},
         "anyof_array": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
         "anyof_obj": {"anyOf": [{"type": "object"}, {"type": "null"}]},
         "type_as_array": {"type": ["integer", "null"]},
         "multi_non_null": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}}}}])
case(VLLM_QC, "test_extract_tool_calls_missing_closing_parameter_tag", "qwen_xml",
     """Let me check the weather for you:
<tool_call>
<function=get_current_weather>
<parameter=city>
Dallas
<parameter=state>
TX
</parameter>
<parameter=unit>
fahrenheit
</parameter>
</function>
</tool_call>""", True, [("get_current_weather", DALLAS)], VLLM_TOOLS)
case(VLLM_QC, "test_extract_tool_calls_streaming_missing_opening_tag", "qwen_xml",
     """I'll check the weather for you.

<function=get_current_weather>
<parameter=city>
Dallas
</parameter>
<parameter=state>
TX
</parameter>
<parameter=unit>
fahrenheit
</parameter>
</function>
</tool_call>""", True, [("get_current_weather", DALLAS)], VLLM_TOOLS)
case(VLLM_QC, "test_none_tool_calls_filtered", "qwen_xml",
     "<tool_call>\n<function=bad_func_no_gt\n</function>\n</tool_call>\n"
     "<tool_call>\n<function=get_current_weather>\n<parameter=city>Dallas</parameter>\n"
     "<parameter=state>TX</parameter>\n</function>\n</tool_call>", True,
     [("get_current_weather", {"city": "Dallas", "state": "TX"})], VLLM_TOOLS,
     policy="strict: a broken call beside a valid one makes the answer malformed_call (the valid call is kept in `calls`)")
case(VLLM_QC, "test_anyof_parameter_not_double_encoded", "qwen_xml",
     "<tool_call>\n<function=update_record>\n"
     '<parameter=data>{"key": "value", "count": 42}</parameter>\n</function>\n</tool_call>', True,
     [("update_record", {"data": {"key": "value", "count": 42}})],
     [{"name": "update_record", "parameters": {"type": "object", "properties": {
         "data": {"anyOf": [{"type": "object"}, {"type": "null"}]}}}}])
case(VLLM_QC, "test_no_double_serialization_string_args", "qwen_xml",
     "<tool_call>\n<function=greet>\n<parameter=message>hello world</parameter>\n</function>\n</tool_call>",
     True, [("greet", {"message": "hello world"})],
     [{"name": "greet", "parameters": {"type": "object", "properties": {"message": {"type": "string"}}}}])

# ---------------- vLLM: Hermes ----------------
case(VLLM_H, "test_hermes_parser_non_streaming_no_tool_call", "hermes_json",
     "This is not a tool call.", False)
case(VLLM_H, "test_hermes_parser_non_streaming_tool_call_between_tags", "hermes_json",
     '<tool_call>\n{"name": "final_answer", "arguments": {"trigger": true}}\n</tool_call>', True,
     [("final_answer", {"trigger": True})])
case(VLLM_H, "test_hermes_parser_non_streaming_tool_call_until_eos", "hermes_json",
     '<tool_call>\n{"name": "final_answer", "arguments": {"trigger": true}}', True,
     [("final_answer", {"trigger": True})],
     policy="strict: an unclosed <tool_call> (truncated output) is malformed_call; vLLM parses to the end of the text")
case(VLLM_H, "test_hermes_parser_non_streaming_tool_call_invalid_json", "hermes_json",
     '<tool_call>\n{"name": "final_answer", "arguments": {"trigger": true}', False,
     policy="never an abstention: a broken call is malformed_call, where vLLM reports no call (content only)")
case(VLLM_H, "test_hermes_parser_non_streaming_serialized_arguments", "hermes_json",
     '<tool_call>\n{"name": "get_db_config", "arguments": "{\\"param\\": \\"max_connections\\"}"}\n</tool_call>',
     True, [("get_db_config", {"param": "max_connections"})])
case(VLLM_H, "test_hermes_parser_non_streaming_bare_string_arguments", "hermes_json",
     '<tool_call>\n{"name": "do_thing", "arguments": "hello"}\n</tool_call>', True,
     [("do_thing", "hello")],
     policy="strict: arguments that are a string holding no JSON object are malformed_call; vLLM passes the string on")
case(VLLM_H, "test_hermes_parser_streaming", "hermes_json",
     '<tool_call>{"name": "get_current_temperature","arguments": {"location":'
     '"San Francisco, California, United States", "unit": "celsius"}}</tool_call>', True,
     [("get_current_temperature", {"location": "San Francisco, California, United States", "unit": "celsius"})])
case(VLLM_H, "test_hermes_streaming_content_then_tool_call_with_stream_interval", "hermes_json",
     'Sure, let me check the weather.<tool_call>{"name": "get_weather", "arguments": {"city": "NYC"}}</tool_call>',
     True, [("get_weather", {"city": "NYC"})])
case(VLLM_H, "test_hermes_streaming_multiple_tool_calls_with_stream_interval", "hermes_json",
     '<tool_call>{"name": "search", "arguments": {"q": "cats"}}</tool_call>'
     '<tool_call>{"name": "search", "arguments": {"q": "dogs"}}</tool_call>', True,
     [("search", {"q": "cats"}), ("search", {"q": "dogs"})])

# ---------------- mlx-lm ----------------
MULTIPLY = {"name": "multiply", "parameters": {"type": "object", "required": ["a", "b"], "properties": {
    "a": {"type": "number"}, "b": {"type": "number"}}}}
TEMP = {"name": "get_current_temperature", "parameters": {"type": "object", "required": ["location"],
        "properties": {"location": {"type": "str"}}}}
MUL_ARGS = {"a": 12234585, "b": 48838483920}
case(MLX, "TestToolParsing.test_parsers[qwen3_coder, multiply]", "qwen_xml",
     wrap("<function=multiply>\n<parameter=a>\n12234585\n</parameter>\n<parameter=b>\n48838483920\n</parameter>\n</function>"),
     True, [("multiply", MUL_ARGS)], [MULTIPLY], wrapped=True)
case(MLX, "TestToolParsing.test_parsers[json_tools, multiply]", "hermes_json",
     wrap('{"name": "multiply", "arguments": {"a": 12234585, "b": 48838483920}}'),
     True, [("multiply", MUL_ARGS)], [MULTIPLY], wrapped=True)
case(MLX, "TestToolParsing.test_parsers[minimax_m2, multiply]", "invoke_xml",
     '<invoke name="multiply">\n<parameter name="a">12234585</parameter>\n<parameter name="b">48838483920</parameter>\n</invoke>',
     True, [("multiply", MUL_ARGS)], [MULTIPLY])
case(MLX, "TestToolParsing.test_parsers[qwen3_coder, get_current_temperature]", "qwen_xml",
     wrap("<function=get_current_temperature>\n<parameter=location>\nLondon\n</parameter>\n</function>"),
     True, [("get_current_temperature", {"location": "London"})], [TEMP], wrapped=True)
case(MLX, "TestToolParsing.test_parsers[json_tools, get_current_temperature]", "hermes_json",
     wrap('{"name": "get_current_temperature", "arguments": {"location": "London"}}'),
     True, [("get_current_temperature", {"location": "London"})], [TEMP], wrapped=True)
case(MLX, "TestToolParsing.test_parsers[minimax_m2, get_current_temperature]", "invoke_xml",
     '<invoke name="get_current_temperature">\n<parameter name="location">London</parameter>\n</invoke>',
     True, [("get_current_temperature", {"location": "London"})], [TEMP])
SEARCH = {"name": "search", "parameters": {"type": "object", "properties": {
    "filters": {"type": "object"}, "tags": {"type": "array"}}}}
case(MLX, "TestToolParsing.test_qwen3_coder_single_quoted_params[python]", "qwen_xml",
     wrap("<function=search><parameter=filters>{'category': 'books', 'in_stock': True}</parameter>"
          "<parameter=tags>['fiction', 'new']</parameter></function>"), True,
     [("search", {"filters": {"category": "books", "in_stock": True}, "tags": ["fiction", "new"]})],
     [SEARCH], wrapped=True)
case(MLX, "TestToolParsing.test_qwen3_coder_single_quoted_params[json]", "qwen_xml",
     wrap('<function=search><parameter=filters>{"category": "books"}</parameter>'
          '<parameter=tags>["fiction", "new"]</parameter></function>'), True,
     [("search", {"filters": {"category": "books"}, "tags": ["fiction", "new"]})], [SEARCH], wrapped=True)
case(MLX, "TestToolParsing.test_minimax_m2", "invoke_xml",
     '<invoke name="search">\n<parameter name="query">weather</parameter>\n</invoke>\n'
     '<invoke name="read_file">\n<parameter name="path">/tmp/test.txt</parameter>\n</invoke>', True,
     [("search", {"query": "weather"}), ("read_file", {"path": "/tmp/test.txt"})])
case(MLX, "TestToolParsing.test_qwen3_coder_iso_date", "qwen_xml",
     wrap("<function=schedule>\n<parameter=name>\ndeploy\n</parameter>\n<parameter=deadline>\n"
          "2025-06-15T10:30:00Z\n</parameter>\n</function>"), True,
     [("schedule", {"name": "deploy", "deadline": "2025-06-15T10:30:00Z"})],
     [{"name": "schedule", "parameters": {"type": "object", "required": ["name", "deadline"], "properties": {
         "name": {"type": "string"}, "deadline": {"type": "string"}}}}], wrapped=True)
case(MLX, "TestToolParsing.test_qwen3_coder_partial_number", "qwen_xml",
     wrap("<function=log>\n<parameter=msg>\nversion 3.10.5-beta\n</parameter>\n</function>"), True,
     [("log", {"msg": "version 3.10.5-beta"})],
     [{"name": "log", "parameters": {"type": "object", "required": ["msg"], "properties": {
         "msg": {"type": "string"}}}}], wrapped=True)

# ---------------- Ollama ----------------
case(OLLAMA, "TestQwenToolParser/simple tool call", "qwen_xml",
     wrap("<function=get_current_temperature>\n<parameter=location>\nSan Francisco\n</parameter>\n"
          "<parameter=unit>\ncelsius\n</parameter>\n</function>"), True,
     [("get_current_temperature", {"location": "San Francisco", "unit": "celsius"})], wrapped=True)
case(OLLAMA, "TestQwenToolParser/names with spaces", "qwen_xml",
     wrap("<function=get current temperature>\n<parameter=location with spaces>\nSan Francisco\n</parameter>\n"
          "<parameter=unit with spaces>\ncelsius\n</parameter>\n</function>"), True,
     [("get current temperature", {"location with spaces": "San Francisco", "unit with spaces": "celsius"})],
     wrapped=True)
case(OLLAMA, "TestQwenToolParser/names with quotes", "qwen_xml",
     wrap('<function="get current temperature">\n<parameter="location with spaces">\nSan Francisco\n</parameter>\n'
          '<parameter="unit with spaces">\n"celsius"\n</parameter>\n</function>'), True,
     [('"get current temperature"', {'"location with spaces"': "San Francisco", '"unit with spaces"': '"celsius"'})],
     wrapped=True,
     policy="names: quotes around a function or parameter name are dropped (<function=\"x\"> calls x); Ollama keeps them, as its reference does")
case(OLLAMA, "TestQwenToolParser/tool call with typed parameters", "qwen_xml",
     wrap("<function=calculate>\n<parameter=x>\n3.14\n</parameter>\n<parameter=y>\n42\n</parameter>\n"
          "<parameter=enabled>\ntrue\n</parameter>\n<parameter=items>\n[\"a\", \"b\", \"c\"]\n</parameter>\n</function>"),
     True, [("calculate", {"x": 3.14, "y": 42, "enabled": True, "items": ["a", "b", "c"]})],
     [{"name": "calculate", "parameters": {"type": "object", "properties": {
         "x": {"type": "number"}, "y": {"type": "integer"}, "enabled": {"type": "boolean"},
         "items": {"type": "array"}}}}], wrapped=True)
case(OLLAMA, "TestQwenToolParser/ampersands in parameter values", "qwen_xml",
     wrap('<function=exec>\n<parameter=command>\nls && echo "done"\n</parameter>\n</function>'), True,
     [("exec", {"command": 'ls && echo "done"'})], wrapped=True)
case(OLLAMA, "TestQwenToolParser/angle brackets in parameter values", "qwen_xml",
     wrap('<function=exec>\n<parameter=command>\nls && echo "a > b and a < b"\n</parameter>\n</function>'), True,
     [("exec", {"command": 'ls && echo "a > b and a < b"'})], wrapped=True)
case(OLLAMA, "TestQwenToolParser/unicode in function names and parameters", "qwen_xml",
     wrap("<function=获取天气>\n<parameter=城市>\n北京\n</parameter>\n<parameter=message>\nHello! 你好! 🌟 مرحبا\n</parameter>\n</function>"),
     True, [("获取天气", {"城市": "北京", "message": "Hello! 你好! 🌟 مرحبا"})], wrapped=True)
for desc, ptype, raw, want in [
    ("integer with leading zeros", "integer", "007", 7),
    ("large integer", "integer", "2147483648", 2147483648),
    ("float without decimal part", "number", "100.0", 100),
    ("scientific notation positive", "number", "1.23e5", 123000),
    ("scientific notation negative", "number", "1.5e-3", 0.0015),
    ("boolean case insensitive false", "boolean", "FALSE", False),
    ("null value case insensitive", "integer", "NULL", None),
    ("string that looks like a number", "string", "12345", "12345"),
    ("array of mixed types", "array", '["string", 123, true, null]', ["string", 123, True, None]),
]:
    case(OLLAMA, f"TestQwenToolCallValueParsing/{desc}", "qwen_xml",
         wrap(f"<function=t>\n<parameter=p>\n{raw}\n</parameter>\n</function>"), True,
         [("t", {"p": want})],
         [{"name": "t", "parameters": {"type": "object", "properties": {"p": {"type": ptype}}}}], wrapped=True)

# ---------------- SGLang ----------------
SGL_WEATHER = {"name": "get_weather", "parameters": {"type": "object", "properties": {
    "city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}}


def sgl_call(city_block):
    return ("<tool_call>\n<function=get_weather>\n"
            f"<parameter=city>\n{city_block}\n"
            "<parameter=days>\n3\n</parameter>\n"
            "</function>\n</tool_call>")


for marker in ("</parameter1>", "</parameter_function>", "</parameter"):
    case(SGL_QC, f"TestQwen3CoderDetectorMalformedParameterEnd.test_non_streaming_strips_drifted_end_marker[{marker}]",
         "qwen_xml", sgl_call(f"Shanghai\n{marker}"), True,
         [("get_weather", {"city": "Shanghai", "days": 3})], [SGL_WEATHER])
case(SGL_QC, "TestQwen3CoderDetectorMalformedParameterEnd.test_well_formed_value_unchanged", "qwen_xml",
     sgl_call("Shanghai\n</parameter>"), True, [("get_weather", {"city": "Shanghai", "days": 3})], [SGL_WEATHER])
case(SGL_QC, "TestQwen3CoderDetectorMalformedParameterEnd.test_angle_brackets_inside_value_are_kept", "qwen_xml",
     sgl_call("a <b>tag</b> city\n</parameter>"), True,
     [("get_weather", {"city": "a <b>tag</b> city", "days": 3})], [SGL_WEATHER])
for value in ("<config>\n  <p>1</p>\n</parameters>", "x </parameterList>"):
    case(SGL_QC, f"TestQwen3CoderDetectorMalformedParameterEnd.test_closed_value_ending_like_a_marker_is_kept[{value!r}]",
         "qwen_xml", sgl_call(f"{value}\n</parameter>"), True,
         [("get_weather", {"city": value, "days": 3})], [SGL_WEATHER])


def lookup(schema):
    return [{"name": "lookup", "parameters": {"type": "object", "properties": {"value": schema}}}]


def sgl_num(test, schema, raw, want):
    case(SGL_NUM, f"TestQwen3CoderNumericPrecision.{test}[{raw.strip()}]", "qwen_xml",
         f"<tool_call><function=lookup><parameter=value>{raw}</parameter></function></tool_call>", True,
         [("lookup", {"value": want})], lookup(schema))


for value in (9007199254740993, -9007199254740993, 18446744073709551615, 1790892345000000001):
    sgl_num("test_number_schema_preserves_large_integer_literals", {"type": "number"}, str(value), value)
sgl_num("test_number_schema_preserves_large_integer_literals", {"type": "number"}, " 9007199254740993 ", 9007199254740993)
sgl_num("test_nullable_number_schema_preserves_large_integer_literals",
        {"anyOf": [{"type": "number"}, {"type": "null"}]}, "9007199254740993", 9007199254740993)
for raw, want in (("42", 42), ("-12.5", -12.5), ("1.25e3", 1250.0), ("not-a-number", "not-a-number"), ("null", None)):
    sgl_num("test_other_numeric_forms_are_unchanged", {"type": "number"}, raw, want)
sgl_num("test_integer_and_string_schemas_are_unchanged", {"type": "integer"}, "9007199254740993", 9007199254740993)
sgl_num("test_integer_and_string_schemas_are_unchanged", {"type": "string"}, "9007199254740993", "9007199254740993")

ZERO_TOOLS = [{"name": "get_time", "parameters": {"type": "object", "properties": {}}},
              {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
case(SGL_ZERO, "TestZeroArgumentToolCallStreaming.test_zero_argument_call_streams_empty_object", "hermes_json",
     '<tool_call>\n{"name": "get_time"}\n</tool_call>', True, [("get_time", {})], ZERO_TOOLS)
case(SGL_ZERO, "TestZeroArgumentToolCallStreaming.test_zero_argument_call_does_not_drop_the_next_call", "hermes_json",
     '<tool_call>\n{"name": "get_time"}\n</tool_call>\n'
     '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>', True,
     [("get_time", {}), ("get_weather", {"city": "Paris"})], ZERO_TOOLS)
case(SGL_ZERO, "TestZeroArgumentToolCallStreaming.test_json_array_parser_streams_empty_object", "json_array",
     '[{"name": "get_time"}]', True, [("get_time", {})], ZERO_TOOLS)

out = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "parse_peers.jsonl"
with out.open("w", encoding="utf-8") as f:
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
print(f"{len(cases)} cases → {out}")
