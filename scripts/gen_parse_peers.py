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

# ---------------- llama.cpp ----------------
# tests/test-chat.cpp at commit 0042e2079d3428ba7af410df553202aa7fdf8d7a. Its
# cases have no names: each is labelled by its function, the template it runs
# under and the comment above it (or what it tests where there is none). The
# inputs are model outputs after the template's generation prompt, so a Qwen3.5
# or StepFun case may start inside <think> (the prompt opened it). Streaming
# (`is_partial`) cases and strings repeated under another template are left out.
LCPP = ("llama.cpp", "tests/test-chat.cpp")


def lc(template, label):
    return f"test_template_output_peg_parsers[{template}] {label}"


def ltool(name, props, required=()):
    params = {"type": "object", "properties": props}
    if required is not None:
        params["required"] = list(required)
    return {"name": name, "parameters": params}


INT = {"type": "integer"}
STR = {"type": "string"}
L_SPECIAL = ltool("special_function", {"arg1": INT}, ["arg1"])
L_SPECIAL_OPT = ltool("special_function_with_opt", {"arg1": INT, "arg2": INT}, ["arg1"])
L_PYTHON = ltool("python", {"code": STR}, ["code"])
L_HTML = ltool("html", {"markup": STR}, ["markup"])
L_TODO = ltool("todo_list", {"todos": {"type": "array"}}, ["todos"])
L_MANAGE_TODO = ltool("manage_todo_list", {"todos": {"type": "array"}}, ["todos"])
L_EDIT = ltool("edit", {"filename": STR, "oldString": STR, "newString": STR}, ["filename", "oldString", "newString"])
L_TERMINAL = ltool("run_in_terminal", {"command": STR}, ["command"])
L_EMPTY = ltool("empty_args", {}, None)
L_EMPTY_NO_PROPS = {"name": "empty_args_no_props", "parameters": {"type": "object"}}
L_EMPTY_NO_SCHEMA = {"name": "empty_args_no_schema", "parameters": {}}
L_TIME = ltool("get_time", {"city": STR}, ["city"])
L_MAGIC = ltool("magic", {"name": STR, "ref": STR}, ["name", "ref"])
L_MAGIC_INT = ltool("magic_int", {"ref": INT, "name": STR}, ["ref"])
L_AMOUNT = ltool("amount", {"orig": {"type": "number"}}, ["orig"])
L_IMAGINARY = ltool("imaginary_number", {"number": {
    "type": "object", "properties": {"real": {"type": "number"}, "imaginary": {"type": "number"}},
    "required": ["real", "imaginary"]}}, ["number"])
L_NULLABLE_STR = ltool("set_nullable_str", {"name": {"type": ["string", "null"]}}, ["name"])
L_NULLABLE_STR_NF = ltool("set_nullable_str_nf", {"name": {"type": ["null", "string"]}}, ["name"])
L_NULLABLE_INT = ltool("set_nullable_int", {"count": {"type": ["integer", "null"]}}, ["count"])
L_UNION = ltool("set_union", {"value": {"type": ["string", "object"]}, "amount": {"type": ["string", "integer"]}},
                ["value", "amount"])
L_ENUM = ltool("set_unit", {"unit": {"enum": ["celsius", "fahrenheit"]}}, ["unit"])
L_STRING_PARAM = ltool("string_param", {"text": STR}, [])
L_QUOTED = ltool("quoted_unquoted", {"quoted": STR, "unquoted": STR}, ["quoted", "unquoted"])
L_2REQ_4OPT = ltool("tool_2req_4opt", {"req1": STR, "req2": INT, "opt1": STR, "opt2": INT, "opt3": STR, "opt4": INT},
                    ["req1", "req2"])
L_2REQ_5OPT = ltool("tool_2req_5opt", {"req1": STR, "req2": INT, "opt1": STR, "opt2": INT, "opt3": STR, "opt4": INT,
                                       "opt5": STR}, ["req1", "req2"])

ARG1 = ("special_function", {"arg1": 1})
ARG12 = ("special_function_with_opt", {"arg1": 1, "arg2": 2})
PWD = ("run_in_terminal", {"command": "pwd"})
HELLO_CODE = 'def hello():\n    print("Hello, world!")\n\nhello()'


def qxml(name, *params, trail=""):
    """A Qwen3-Coder call as llama.cpp's tests write it: one line break
    around every tag and value."""
    body = "".join(f"<parameter={k}>\n{v}\n</parameter>\n" for k, v in params)
    return f"<tool_call>\n<function={name}>\n{body}</function>\n</tool_call>{trail}"


QX_ARG1 = qxml("special_function", ("arg1", "1"))
QX_PAR = QX_ARG1 + "\n" + qxml("special_function_with_opt", ("arg1", "1"), ("arg2", "2"))
QX_PYTHON = qxml("python", ("code", 'def hello():\n    print("Hello, world!")\n\nhello()'))
QX_PWD = qxml("run_in_terminal", ("command", "pwd"))

# Qwen3.5 (Qwen3-Coder XML, thinking opened by the prompt)
Q35 = "Qwen3.5-4B.jinja"
case(LCPP, lc(Q35, "reasoning then content"), "qwen_xml",
     "I'm\nthinking\n</think>\n\nHello, world!\nWhat's up?", False, tools=[L_SPECIAL])
case(LCPP, lc(Q35, "tool call, thinking off"), "qwen_xml", QX_ARG1, True, [ARG1], [L_SPECIAL])
case(LCPP, lc(Q35, "reasoning then tool call"), "qwen_xml",
     "I'm\nthinking\n</think>\n\n" + QX_ARG1, True, [ARG1], [L_SPECIAL])
case(LCPP, lc(Q35, "parallel tool calls"), "qwen_xml", QX_PAR, True, [ARG1, ARG12], [L_SPECIAL, L_SPECIAL_OPT])
case(LCPP, lc(Q35, "python multiline code"), "qwen_xml", QX_PYTHON, True,
     [("python", {"code": HELLO_CODE})], [L_PYTHON])
case(LCPP, lc(Q35, "edit"), "qwen_xml",
     qxml("edit", ("filename", "foo.c"), ("oldString", "#iclunde"), ("newString", "#include")), True,
     [("edit", {"filename": "foo.c", "oldString": "#iclunde", "newString": "#include"})], [L_EDIT])
case(LCPP, lc(Q35, "a parameter value that itself ends in a newline"), "qwen_xml",
     qxml("edit", ("filename", "foo.c"), ("oldString", "#iclunde"), ("newString", "#include\n")), True,
     [("edit", {"filename": "foo.c", "oldString": "#iclunde", "newString": "#include\n"})], [L_EDIT])
case(LCPP, lc(Q35, "code that starts with indent"), "qwen_xml",
     qxml("python", ("code", '    print("Hello, world!")')), True,
     [("python", {"code": '    print("Hello, world!")'})], [L_PYTHON])
case(LCPP, lc(Q35, "structured output after reasoning (json_schema)"), "qwen_xml",
     'I need to output the invoice details in JSON\n</think>\n\n{"amount": 123.45, "date": "2025-12-03"}',
     False, tools=[L_SPECIAL])
case(LCPP, lc(Q35, "a tool call ends the prefilled thinking block"), "qwen_xml", QX_PWD, True, [PWD],
     [L_TERMINAL])
case(LCPP, lc(Q35, "...including after the model has thought about it"), "qwen_xml",
     "Need to inspect the current directory.\n" + QX_PWD, True, [PWD], [L_TERMINAL])
case(LCPP, lc(Q35, "No args tool"), "qwen_xml",
     "<tool_call>\n<function=empty_args>\n</function>\n</tool_call>", True, [("empty_args", {})], [L_EMPTY])
case(LCPP, lc(Q35, "No args tool with no properties defined"), "qwen_xml",
     "<tool_call>\n<function=empty_args_no_props>\n</function>\n</tool_call>", True,
     [("empty_args_no_props", {})], [L_EMPTY_NO_PROPS])
case(LCPP, lc(Q35, "reasoning traces not sent: empty <think></think>"), "qwen_xml",
     "<think>\n\n</think>\n\n" + QX_ARG1, True, [ARG1], [L_SPECIAL])
case(LCPP, lc(Q35, "reasoning traces not sent: bare </think>"), "qwen_xml",
     "</think>\n\n" + QX_ARG1, True, [ARG1], [L_SPECIAL])
case(LCPP, lc(Q35, "reasoning traces not sent: bare </think>, run_in_terminal"), "qwen_xml",
     "</think>\n\n" + QX_PWD, True, [PWD], [L_TERMINAL])
case(LCPP, lc(Q35, "reasoning traces not sent: content before the call"), "qwen_xml",
     "</think>\n\nLet me inspect the current directory.\n" + QX_PWD, True, [PWD], [L_TERMINAL])
case(LCPP, lc(Q35, "reasoning, content, tool call"), "qwen_xml",
     "I should inspect the directory.\n</think>\n\nLet me inspect it now.\n" + QX_PWD, True, [PWD], [L_TERMINAL])
case(LCPP, lc(Q35, "after a tool result: reasoning then tool call"), "qwen_xml",
     "I need to run a terminal command.\n</think>\n\n" + QX_PWD, True, [PWD], [L_MANAGE_TODO, L_TERMINAL])
case(LCPP, lc(Q35, "after a tool result: reasoning, content, tool call"), "qwen_xml",
     "I need to run a terminal command.\n</think>\n\nLet me inspect the current directory.\n" + QX_PWD, True, [PWD],
     [L_MANAGE_TODO, L_TERMINAL])

# NVIDIA Nemotron-3 Nano (Qwen3-Coder XML, a line break after </tool_call>)
NEMO = "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.jinja"
case(LCPP, lc(NEMO, "tool call"), "qwen_xml", QX_ARG1 + "\n", True, [ARG1], [L_SPECIAL])
case(LCPP, lc(NEMO, "reasoning then tool call"), "qwen_xml", "I'm\nthinking\n</think>\n" + QX_ARG1 + "\n", True,
     [ARG1], [L_SPECIAL])
case(LCPP, lc(NEMO, "parallel tool calls"), "qwen_xml", QX_ARG1 + "\n" + qxml(
    "special_function_with_opt", ("arg1", "1"), ("arg2", "2")) + "\n", True, [ARG1, ARG12], [L_SPECIAL, L_SPECIAL_OPT])
case(LCPP, lc(NEMO, "python multiline code"), "qwen_xml", QX_PYTHON + "\n", True,
     [("python", {"code": HELLO_CODE})], [L_PYTHON])

# ByteDance Seed-OSS (the same <function=…> XML in <seed:tool_call>, no line
# breaks around values)
SEED = "ByteDance-Seed-OSS.jinja"
SEED_ARG1 = "<seed:tool_call>\n<function=special_function>\n<parameter=arg1>1</parameter>\n</function>\n</seed:tool_call>"
case(LCPP, lc(SEED, "tool call"), "qwen_xml", SEED_ARG1, True, [ARG1], [L_SPECIAL])
case(LCPP, lc(SEED, "parallel tool calls"), "qwen_xml", SEED_ARG1 + "\n<seed:tool_call>\n"
     "<function=special_function_with_opt>\n<parameter=arg1>1</parameter>\n<parameter=arg2>2</parameter>\n"
     "</function>\n</seed:tool_call>", True, [ARG1, ARG12], [L_SPECIAL, L_SPECIAL_OPT])
TODOS = [{"item": "Check stuff", "selected": False}, {"item": "Prepare stuff", "selected": True}]
case(LCPP, lc(SEED, "todo list (array of objects)"), "qwen_xml",
     "<seed:tool_call>\n<function=todo_list>\n<parameter=todos>" + json.dumps(TODOS) + "</parameter>\n</function>\n"
     "</seed:tool_call>", True, [("todo_list", {"todos": TODOS})], [L_TODO])
SEED_OLD = 'def foo(arg = "14"):\n    return arg + "bar"\n'
SEED_NEW = 'def foo(arg = "15"):\n    pass\n'
case(LCPP, lc(SEED, "tool call with inside quotes"), "qwen_xml",
     "<seed:tool_call>\n<function=edit>\n<parameter=filename>foo.cpp</parameter>\n"
     f"<parameter=oldString>{SEED_OLD}</parameter>\n<parameter=newString>{SEED_NEW}</parameter>\n"
     "</function>\n</seed:tool_call>", True,
     [("edit", {"filename": "foo.cpp", "oldString": SEED_OLD, "newString": SEED_NEW})], [L_EDIT],
     policy="values: one leading and one trailing line break are stripped, as the Qwen3-Coder template writes "
            "them around every value; Seed-OSS writes none, so a value ending in a line break loses it")

# Qwen3-Coder
QC = "Qwen3-Coder.jinja"
QX_ARG1_NO_OPEN = "<function=special_function>\n<parameter=arg1>\n1\n</parameter>\n</function>\n</tool_call>"
case(LCPP, lc(QC, "content only"), "qwen_xml", "Hello, world!\nWhat's up?", False, tools=[L_SPECIAL])
case(LCPP, lc(QC, "tool call"), "qwen_xml", QX_ARG1, True, [ARG1], [L_SPECIAL])
case(LCPP, lc(QC, "some models skip the opening <tool_call>"), "qwen_xml", QX_ARG1_NO_OPEN, True, [ARG1],
     [L_SPECIAL])
case(LCPP, lc(QC, "some models skip the opening <tool_call>, after content"), "qwen_xml",
     "Let me call it.\n" + QX_ARG1_NO_OPEN, True, [ARG1], [L_SPECIAL])
case(LCPP, lc(QC, "only the first call may omit it"), "qwen_xml",
     QX_ARG1_NO_OPEN + "\n" + qxml("special_function_with_opt", ("arg1", "1"), ("arg2", "2")), True,
     [ARG1, ARG12], [L_SPECIAL, L_SPECIAL_OPT])
case(LCPP, lc(QC, "parallel tool calls"), "qwen_xml", QX_PAR, True, [ARG1, ARG12], [L_SPECIAL, L_SPECIAL_OPT])
case(LCPP, lc(QC, "code content (multiline)"), "qwen_xml", QX_PYTHON, True, [("python", {"code": HELLO_CODE})],
     [L_PYTHON])
case(LCPP, lc(QC, "code content (asian unicode chars)"), "qwen_xml", qxml("python", ("code", "格")), True,
     [("python", {"code": "格"})], [L_PYTHON])
HTML = "<html>\n <head>\n  <title>Hello!</title>\n </head>\n</html>"
case(LCPP, lc(QC, "HTML tag content"), "qwen_xml", qxml("html", ("markup", HTML)), True,
     [("html", {"markup": HTML})], [L_HTML])
case(LCPP, lc(QC, "TODO list (array of objects)"), "qwen_xml", qxml("todo_list", ("todos", json.dumps(TODOS))),
     True, [("todo_list", {"todos": TODOS})], [L_TODO])
case(LCPP, lc(QC, "flexible required argument ordering"), "qwen_xml",
     qxml("edit", ("newString", "#include"), ("filename", "foo.c"), ("oldString", "#iclunde")), True,
     [("edit", {"newString": "#include", "filename": "foo.c", "oldString": "#iclunde"})], [L_EDIT])
case(LCPP, lc(QC, "flexible required argument ordering, 2 required + 4 optional"), "qwen_xml",
     qxml("tool_2req_4opt", ("req2", "42"), ("req1", "hello"), ("opt2", "200")), True,
     [("tool_2req_4opt", {"req2": 42, "req1": "hello", "opt2": 200})], [L_2REQ_4OPT])
case(LCPP, lc(QC, "flexible optional argument ordering (2 required + 4 optional, reversed)"), "qwen_xml",
     qxml("tool_2req_4opt", ("req1", "hello"), ("req2", "42"), ("opt4", "100"), ("opt2", "200")), True,
     [("tool_2req_4opt", {"req1": "hello", "req2": 42, "opt4": 100, "opt2": 200})], [L_2REQ_4OPT])
case(LCPP, lc(QC, "flexible optional argument ordering (2 required + 5 optional, reversed)"), "qwen_xml",
     qxml("tool_2req_5opt", ("req1", "world"), ("req2", "7"), ("opt5", "last"), ("opt3", "middle"),
          ("opt1", "first")), True,
     [("tool_2req_5opt", {"req1": "world", "req2": 7, "opt5": "last", "opt3": "middle", "opt1": "first"})],
     [L_2REQ_5OPT])
case(LCPP, lc(QC, "flexible optional argument ordering (2 required + 5 optional, shuffled)"), "qwen_xml",
     qxml("tool_2req_5opt", ("req1", "test"), ("req2", "99"), ("opt3", "c"), ("opt1", "a"), ("opt5", "e"),
          ("opt4", "4"), ("opt2", "2")), True,
     [("tool_2req_5opt", {"req1": "test", "req2": 99, "opt3": "c", "opt1": "a", "opt5": "e", "opt4": 4,
                          "opt2": 2})], [L_2REQ_5OPT])
case(LCPP, lc(QC, "nullable string type [\"string\", \"null\"]"), "qwen_xml",
     qxml("set_nullable_str", ("name", "hello world")), True, [("set_nullable_str", {"name": "hello world"})],
     [L_NULLABLE_STR])
case(LCPP, lc(QC, "nullable string with null first in type array"), "qwen_xml",
     qxml("set_nullable_str_nf", ("name", "hello world")), True, [("set_nullable_str_nf", {"name": "hello world"})],
     [L_NULLABLE_STR_NF])
case(LCPP, lc(QC, "nullable integer type [\"integer\", \"null\"]"), "qwen_xml",
     qxml("set_nullable_int", ("count", "42")), True, [("set_nullable_int", {"count": 42})], [L_NULLABLE_INT])
case(LCPP, lc(QC, "nullable string given null"), "qwen_xml", qxml("set_nullable_str", ("name", "null")), True,
     [("set_nullable_str", {"name": None})], [L_NULLABLE_STR])
case(LCPP, lc(QC, "unions with string: JSON values of the other types are typed"), "qwen_xml",
     qxml("set_union", ("value", '{"a": 1}'), ("amount", "2 dollars")), True,
     [("set_union", {"value": {"a": 1}, "amount": "2 dollars"})], [L_UNION],
     policy="unions: the first declared type that reads the value wins (vLLM's rule), so with \"string\" first "
            "the value stays text; llama.cpp types a value that is JSON of another alternative")
case(LCPP, lc(QC, "unions with string: everything else is a string"), "qwen_xml",
     qxml("set_union", ("value", "{not valid json"), ("amount", "42")), True,
     [("set_union", {"value": "{not valid json", "amount": 42})], [L_UNION],
     policy="unions: the first declared type that reads the value wins (vLLM's rule), so with \"string\" first "
            "the value stays text; llama.cpp types a value that is JSON of another alternative")
case(LCPP, lc(QC, "enum without explicit type key"), "qwen_xml", qxml("set_unit", ("unit", "celsius")), True,
     [("set_unit", {"unit": "celsius"})], [L_ENUM])

# test_qwen_string_enums (Qwen3-Coder template)
RECORDS_ENUM = ["load", "reload", "re", "", 'quoted"value', "line\nbreak"]
L_RECORDS = {"name": "records", "parameters": {"type": "object", "properties": {
    "action": {"type": "string", "enum": RECORDS_ENUM}}, "required": ["action"], "additionalProperties": False}}
for value in RECORDS_ENUM:
    case(LCPP, f"test_qwen_string_enums[{QC}] {value!r}", "qwen_xml", qxml("records", ("action", value)), True,
         [("records", {"action": value})], [L_RECORDS])
case(LCPP, f"test_qwen_string_enums[{QC}] 're' then 'reload'", "qwen_xml",
     qxml("records", ("action", "re")) + "\n" + qxml("records", ("action", "reload")), True,
     [("records", {"action": "re"}), ("records", {"action": "reload"})], [L_RECORDS])

# StepFun 3.5 Flash (Qwen3-Coder XML after reasoning)
STEP = "StepFun3.5-Flash.jinja"


def step(label, reasoning, call, want, tools):
    case(LCPP, lc(STEP, label), "qwen_xml", reasoning + "\n</think>\n" + call, True, [want], tools)


step("numeric-looking string values stay strings per the schema", "Let me call the magic tool",
     qxml("magic", ("name", "fooBar"), ("ref", "5123123")), ("magic", {"name": "fooBar", "ref": "5123123"}),
     [L_MAGIC])
step("numeric values are numbers when the schema calls for number", "Let me call the special function",
     qxml("special_function", ("arg1", "42555916")), ("special_function", {"arg1": 42555916}), [L_SPECIAL])
step("numeric values, tool with an optional parameter", "Let me call the special function with opt",
     qxml("special_function_with_opt", ("arg1", "42555916")), ("special_function_with_opt", {"arg1": 42555916}),
     [L_SPECIAL_OPT])
step("integer and string parameters", "Let me call the magic_int function",
     qxml("magic_int", ("ref", "42555916"), ("name", "baz")), ("magic_int", {"ref": 42555916, "name": "baz"}),
     [L_MAGIC_INT])
step("string_param with empty text", "Call string_param with empty text",
     "<tool_call>\n<function=string_param>\n<parameter=text>\n\n</parameter>\n</function>\n</tool_call>",
     ("string_param", {"text": ""}), [L_STRING_PARAM])
step("simple quoted unquoted", "Test simple quoted unquoted",
     qxml("quoted_unquoted", ("quoted", '"foo"'), ("unquoted", "foo")),
     ("quoted_unquoted", {"quoted": '"foo"', "unquoted": "foo"}), [L_QUOTED])
step("complex quoted unquoted", "Test complex quoted unquoted",
     qxml("quoted_unquoted", ("quoted", '"printf(\\"foo\\");"'), ("unquoted", 'printf("foo");')),
     ("quoted_unquoted", {"quoted": '"printf(\\"foo\\");"', "unquoted": 'printf("foo");'}), [L_QUOTED])
step("negative number", "Test negative number", qxml("magic_int", ("ref", "-14")), ("magic_int", {"ref": -14}),
     [L_MAGIC_INT])
step("decimal number", "Test decimal number", qxml("amount", ("orig", "3.14")), ("amount", {"orig": 3.14}),
     [L_AMOUNT])
step("imaginary number (object parameter)", "Test imaginary number",
     qxml("imaginary_number", ("number", '{ "real": 3.14, "imaginary": 2.71 }')),
     ("imaginary_number", {"number": {"real": 3.14, "imaginary": 2.71}}), [L_IMAGINARY])

# Hermes / Qwen <tool_call> JSON
HJ_ARG1 = '{"name": "special_function", "arguments": {"arg1": 1}}'
HJ_ARG12 = '{"name": "special_function_with_opt", "arguments": {"arg1": 1, "arg2": 2}}'
HERMES2 = "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja"
case(LCPP, lc(HERMES2, "tool call"), "hermes_json", f"<tool_call>\n{HJ_ARG1}</tool_call>", True, [ARG1],
     [L_SPECIAL])
case(LCPP, lc(HERMES2, "content then tool call"), "hermes_json",
     f"Hello, world!\nWhat's up?<tool_call>\n{HJ_ARG1}</tool_call>", True, [ARG1], [L_SPECIAL])
QWEN25 = "MiMo-VL / NousResearch-Hermes-3-Llama-3.1-8B-tool_use / Qwen-Qwen2.5-7B-Instruct.jinja"
case(LCPP, lc(QWEN25, "tool call"), "hermes_json", f"<tool_call>\n{HJ_ARG1}\n</tool_call>", True, [ARG1],
     [L_SPECIAL])
REKA = "Reka-Edge.jinja"
case(LCPP, lc(REKA, "single tool call without reasoning"), "hermes_json", f"<tool_call>\n{HJ_ARG1}</tool_call>",
     True, [ARG1], [L_SPECIAL])
case(LCPP, lc(REKA, "tool call with string argument"), "hermes_json",
     '<tool_call>\n{"name": "get_time", "arguments": {"city": "XYZCITY"}}</tool_call>', True,
     [("get_time", {"city": "XYZCITY"})], [L_TIME])
case(LCPP, lc(REKA, "tool call with reasoning"), "hermes_json",
     f"I'm\nthinking\n</think>\n\n<tool_call>\n{HJ_ARG1}</tool_call>", True, [ARG1], [L_SPECIAL])
case(LCPP, lc(REKA, "multiple tool calls (parallel)"), "hermes_json",
     f"<tool_call>\n{HJ_ARG1}</tool_call><tool_call>\n{HJ_ARG12}</tool_call>", True, [ARG1, ARG12],
     [L_SPECIAL, L_SPECIAL_OPT])
case(LCPP, lc(REKA, "tool call with reasoning and content"), "hermes_json",
     'I need to call a function\n</think>\n\nLet me check the time.<tool_call>\n'
     '{"name": "get_time", "arguments": {"city": "XYZCITY"}}</tool_call>', True,
     [("get_time", {"city": "XYZCITY"})], [L_TIME])
case(LCPP, lc(REKA, "tool call with empty arguments"), "hermes_json",
     '<tool_call>\n{"name": "empty_args", "arguments": {}}</tool_call>', True, [("empty_args", {})], [L_EMPTY])
case(LCPP, lc(REKA, "tool with no parameters schema, {} means no arguments"), "hermes_json",
     '<tool_call>\n{"name": "empty_args_no_schema", "arguments": {}}</tool_call>', True,
     [("empty_args_no_schema", {})], [L_EMPTY_NO_SCHEMA])
case(LCPP, lc(REKA, "fake tool call marker in reasoning"), "hermes_json",
     'Let me think about <tool_call>\n{"name": "special_function", "arguments": {"arg1": 2}}</tool_call> hmm\n'
     f"</think>\n\n<tool_call>\n{HJ_ARG1}</tool_call>", True, [ARG1], [L_SPECIAL])
case(LCPP, lc(REKA, "content, then a tool call on its own line"), "hermes_json",
     f"Hello, world!\nWhat's up?\n<tool_call>\n{HJ_ARG1}\n</tool_call>", True, [ARG1], [L_SPECIAL])
case(LCPP, lc(REKA, "reasoning then tool call, line breaks around the JSON"), "hermes_json",
     f"I'm\nthinking\n</think>\n\n<tool_call>\n{HJ_ARG1}\n</tool_call>", True, [ARG1], [L_SPECIAL])
case(LCPP, lc(REKA, "parallel tool calls on separate lines"), "hermes_json",
     f"<tool_call>\n{HJ_ARG1}\n</tool_call>\n<tool_call>\n{HJ_ARG12}\n</tool_call>", True, [ARG1, ARG12],
     [L_SPECIAL, L_SPECIAL_OPT])

# Other JSON call wrappers
case(LCPP, lc("NVIDIA-Nemotron-Nano-v2.jinja", "reasoning then <TOOLCALL>"), "json_array",
     f"I'm\nthinking\n</think>\n<TOOLCALL>[{HJ_ARG1}]</TOOLCALL>", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("NVIDIA-Nemotron-Nano-v2.jinja", "reasoning then <TOOLCALL>, blank line and trailing line break"),
     "json_array", f"I'm\nthinking\n</think>\n\n<TOOLCALL>[{HJ_ARG1}]</TOOLCALL>\n", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("mistralai-Mistral-Nemo-Instruct-2407.jinja", "[TOOL_CALLS] with an id"), "json_array",
     '[TOOL_CALLS][{"name": "special_function", "arguments": {"arg1": 1}, "id": "123456789"}]', True, [ARG1],
     [L_SPECIAL])
case(LCPP, lc("fireworks-ai-llama-3-firefunction-v2.jinja", "functools"), "json_array",
     f" functools[{HJ_ARG1}]", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("unsloth-Apriel-1.5.jinja", "<tool_calls>"), "json_array",
     f"<tool_calls>[{HJ_ARG1}]</tool_calls>", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("Apriel-1.6-15b-Thinker-fixed.jinja", "reasoning + tool calls"), "json_array",
     f"I'm\nthinking\n[BEGIN FINAL RESPONSE]\n<tool_calls>[{HJ_ARG1}]</tool_calls>", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("GigaChat3-10B-A1.8B.jinja", "function call"), "json_call",
     f"<|message_sep|>\n\nfunction call<|role_sep|>\n{HJ_ARG1}", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("GigaChat3-10B-A1.8B.jinja", "content then function call"), "json_call",
     f"Hello, world!\nWhat's up?<|message_sep|>\n\nfunction call<|role_sep|>\n{HJ_ARG1}", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("GigaChat3.1-10B-A1.8B.jinja", "<|function_call|>"), "json_call",
     f"<|function_call|>{HJ_ARG1}", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("GigaChat3.1-10B-A1.8B.jinja", "content then <|function_call|>"), "json_call",
     f"Hello, world!\nWhat's up?<|function_call|>{HJ_ARG1}", True, [ARG1], [L_SPECIAL])
case(LCPP, lc("meetkai-functionary-medium-v3.1.jinja", "<function=NAME> with a JSON body"), "qwen_xml",
     '<function=special_function>{"arg1": 1}</function>', True, [ARG1], [L_SPECIAL])

out = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "parse_peers.jsonl"
with out.open("w", encoding="utf-8") as f:
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
print(f"{len(cases)} cases → {out}")
