"""Checks of the `safety:` thresholds that apply enforces (see ptc.config.models.Safety)."""

from __future__ import annotations

from collections.abc import Iterator

from ptc.checks.base import Check, Context, Problem


class SafetyOutOfRange(Check):
    id = "PTC701"
    summary = "A safety threshold that is negative, or a percentage over 100"
    fix = "Give counts of 0 or more and percentages from 0 to 100 under 'safety:'."

    def check(self, ctx: Context) -> Iterator[Problem]:
        for name, value in ctx.file.safety.model_dump().items():
            highest = 100 if name.endswith("_percent") else None
            if value < 0 or (highest is not None and value > highest):
                limit = "0 to 100" if highest else "0 or more"
                yield Problem(("safety", name), f"safety: {name} is {value}; give {limit}")


CHECKS = (SafetyOutOfRange,)
