"""Image paths (`--image-path KIND=PATH`): the JSONPath subset and where it leads."""

from __future__ import annotations

import pytest

from ptc.rewrite.documents import PLAIN, dotted
from ptc.rewrite.paths import ITEMS, VALUES, PathSyntaxError, parse_path


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("spec.image", ("spec", "image")),
        ("$.spec.image", ("spec", "image")),
        (".spec.image", ("spec", "image")),
        ("spec.jobs[*].image", ("spec", "jobs", ITEMS, "image")),
        ("spec.jobs[2].image", ("spec", "jobs", 2, "image")),
        ("spec.*.image", ("spec", VALUES, "image")),
        ("spec['a.b'].image", ("spec", "a.b", "image")),
        ('spec["x"][0]', ("spec", "x", 0)),
        ("spec.some-thing_1.image", ("spec", "some-thing_1", "image")),
    ],
)
def test_parse(text: str, steps: tuple[object, ...]) -> None:
    assert parse_path(text).steps == steps


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "'': the path is empty"),
        ("$", "'$': the path is empty"),
        ("spec..image", "'spec..image': cannot read the path from '..image'"),
        ("spec.jobs[?(@.a)]", "'spec.jobs[?(@.a)]': cannot read the path from '[?(@.a)]'"),
        ("spec.jobs[1:2]", "'spec.jobs[1:2]': cannot read the path from '[1:2]'"),
        ("$..image", "'$..image': cannot read the path from '..image'"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(PathSyntaxError) as raised:
        parse_path(text)
    assert str(raised.value) == message


def test_find_strings_only() -> None:
    doc = {
        "spec": {
            "jobs": [{"image": "a"}, {"image": {"repository": "b"}}, {"other": 1}, {"image": "c"}],
            "byName": {"x": {"image": "d"}, "y": {"image": None}},
        }
    }
    found = [(dotted(p), v) for p, v in parse_path("spec.jobs[*].image").find(doc, PLAIN)]
    assert found == [("spec.jobs[0].image", "a"), ("spec.jobs[3].image", "c")]
    found = [(dotted(p), v) for p, v in parse_path("spec.byName.*.image").find(doc, PLAIN)]
    assert found == [("spec.byName.x.image", "d")]
    assert list(parse_path("spec.jobs[9].image").find(doc, PLAIN)) == []
    assert list(parse_path("spec.jobs.image").find(doc, PLAIN)) == []
