from __future__ import annotations

from ptc.domain.json_documents import canonical_json


def test_canonical_json_is_compact_key_sorted_and_keeps_unicode() -> None:
    document = {"b": [1, {"d": "é", "c": None}], "a": "x"}

    assert canonical_json(document) == '{"a":"x","b":[1,{"c":null,"d":"é"}]}'
