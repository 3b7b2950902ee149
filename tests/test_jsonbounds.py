"""Nesting is counted before JSON is parsed, outside strings only."""

import json

import pytest

from careplatform import jsonbounds


def test_nesting_up_to_the_bound_parses():
    text = "[" * 32 + "]" * 32
    assert jsonbounds.loads(text, max_depth=32) == json.loads(text)


def test_nesting_past_the_bound_names_the_top_level_key():
    text = '{"a": "x", "b": {"c": ' + "[" * 40 + "]" * 40 + "}}"
    with pytest.raises(jsonbounds.TooDeep) as refused:
        jsonbounds.loads(text, max_depth=32)
    assert refused.value.field == "b"


def test_brackets_in_strings_and_escaped_quotes_do_not_count():
    value = {"text": '\\"[[[[' * 1000, "list": [[1]]}
    assert jsonbounds.loads(json.dumps(value), max_depth=3) == value


def test_a_deep_array_at_the_top_names_no_field():
    with pytest.raises(jsonbounds.TooDeep) as refused:
        jsonbounds.loads(b"[" * 100_000)
    assert refused.value.field is None
