"""Whatever bytes or text it is given, the loader raises only its documented errors."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ptc.config.loader import Document, YamlError, decode_text, parse
from ptc.errors import InputError

# Characters that mean something to YAML, so that generated text reaches deep into the parser.
YAML_ALPHABET = list("{}[],:-?&*!|>'\"#%@`~<=.\\/ \t\r\n\ufeff") + list("abkv01eE+_")
YAMLISH = st.text(alphabet=st.sampled_from(YAML_ALPHABET), max_size=300)
SETTINGS = settings(max_examples=200, deadline=None)


def _parse_or_documented_error(text: str) -> Document | YamlError:
    try:
        return parse(text, "ptc.yaml")
    except YamlError as exc:
        return exc


@SETTINGS
@given(st.one_of(st.text(max_size=300), YAMLISH))
def test_any_text_parses_or_raises_a_located_yaml_error(text: str) -> None:
    outcome = _parse_or_documented_error(text)

    if isinstance(outcome, YamlError):
        assert outcome.code in {"PTC001", "PTC009"}
        assert outcome.message and "\n" not in outcome.message.strip()
        assert outcome.mark is None or (outcome.mark.line >= 1 and outcome.mark.column >= 1)
    else:
        marks = [*outcome.value_marks.values(), *outcome.key_marks.values()]
        assert all(m.line >= 1 and m.column >= 1 for m in marks)
        assert all(p.code == "PTC003" for p in outcome.problems)


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_raise_an_input_error(raw: bytes) -> None:
    try:
        text = decode_text(raw, "ptc.yaml")
    except InputError as exc:
        assert str(exc).startswith("ptc.yaml: is ")
        return

    assert text.encode("utf-8") in (raw, raw.removeprefix(b"\xef\xbb\xbf"))
    _parse_or_documented_error(text)
