"""Workflow-command escaping (ptc/render/github.py): one annotation stays one command."""

from __future__ import annotations

from ptc.render.github import escape_data, escape_property


def test_a_message_keeps_its_colons_and_loses_its_line_breaks() -> None:
    assert escape_data("100% a::b\r\nc") == "100%25 a::b%0D%0Ac"


def test_a_property_escapes_its_separators_too() -> None:
    assert escape_property("dir,x/a:b%\n.yaml") == "dir%2Cx/a%3Ab%25%0A.yaml"
