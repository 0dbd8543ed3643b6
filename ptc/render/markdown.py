"""The Markdown view of a plan, for a pull request comment (after octoDNS's PlanMarkdown).

A summary table per region, then one collapsed `<details>` block per change with its
attribute diff in a ```diff block (policies as JSON line diffs), the reasons for replaces,
and the lists of what is left alone. No terminal codes (control characters from a file or
an answer are escaped, as on a terminal), no secret value (the plan holds
none), and the same plan always gives the same text: a workflow finds its earlier comment
by the hidden MARKER on the first line and updates it instead of adding another.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from ptc import __version__
from ptc.plan.changes import Action, AnyChange, Plan
from ptc.render import display
from ptc.render.text import printable

MARKER = "<!-- ptc-plan -->"
# GitHub refuses comments over 65,536 characters; beyond this the diffs are left out.
MAX_CHARS = 60_000
_COLUMNS = (
    ("add", Action.CREATE),
    ("change", Action.UPDATE),
    ("replace", Action.REPLACE),
    ("destroy", Action.DELETE),
)
_UNMANAGED_COLUMN = "not in the file"


def render_markdown(plan: Plan, *, max_chars: int = MAX_CHARS) -> str:
    text = _document(plan, with_diffs=True)
    if len(text) > max_chars:
        text = _document(plan, with_diffs=False)
    return text


def _document(plan: Plan, *, with_diffs: bool) -> str:
    parts = [
        MARKER,
        f"### ptc plan for account `{plan.account}`",
        f"**{display.summary_line(plan)}**",
        _table(plan),
    ]
    if plan.changes:
        parts.append("#### Changes")
        if not with_diffs:
            parts.append(
                "_The attribute diffs are left out: the plan is too large for one comment. "
                "`ptc show PLANFILE` shows them._"
            )
        if with_diffs:
            parts += [_change(c) for c in plan.changes]
        else:
            parts.append("\n".join(_line(c) for c in plan.changes))
    parts += _lists(plan)
    parts.append(
        f"<sub>ptc {__version__} · live state {plan.live_fingerprint[:19]}… · "
        f"{'prune on' if plan.prune else 'prune off'}</sub>"
    )
    # Descriptions, addresses and the account come from files and answers: a comment shows
    # their control characters escaped (line breaks and tabs are the document's own).
    return printable("\n\n".join(parts) + "\n", multiline=True)


def _table(plan: Plan) -> str:
    names = [name for name, _ in _COLUMNS] + [_UNMANAGED_COLUMN]
    rows = ["| region | " + " | ".join(names) + " |", "|:--" + "|--:" * len(names) + "|"]
    for region in sorted(plan.regions):  # the order of the changes below
        counted = Counter(c.action for c in plan.changes if c.region == region)
        counts = [counted[action] for _, action in _COLUMNS]
        counts.append(sum(u.region == region for u in plan.unmanaged))
        rows.append(f"| `{region}` | " + " | ".join(map(str, counts)) + " |")
    return "\n".join(rows)


def _heading(change: AnyChange) -> str:
    why = display.explanation(change)
    reason = f": {html.escape(why)}" if why else ""
    return (
        f"<code>{html.escape(display.MARKS[change.action])}</code> "
        f"<code>{html.escape(change.address)}</code> "
        f"{display.VERBS[change.action]}{reason}"
    )


def _line(change: AnyChange) -> str:
    return f"- {_heading(change)}"


def _change(change: AnyChange) -> str:
    body = "\n".join(_diff_lines(change))
    return (
        f"<details><summary>{_heading(change)}</summary>\n\n{_fenced(body, 'diff')}\n\n</details>"
    )


def _diff_lines(change: AnyChange) -> list[str]:
    """Rows in diff syntax: `+` added, `-` removed; an update is a `-` and a `+` row."""
    lines: list[str] = []
    for row in display.rows(change):
        if row.diff:
            lines.append(f"  {row.key}:")
            lines += [f"{line[:1]}   {line[1:]}" for line in row.diff]
        elif row.mark == "~" and row.old != row.new:
            lines += [f"- {row.key} = {row.old}", f"+ {row.key} = {row.new}"]
        else:
            lines.append(row.text())  # also "~ value = (sensitive value)": changed, unshown
    # One row, one line: a line break in a description must not forge a `+` row.
    return [printable(line) for line in lines]


def _fenced(body: str, language: str) -> str:
    """A code block whose fence no backtick run inside it (a description, say) can close."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{body}\n{fence}"


def _lists(plan: Plan) -> list[str]:
    resources, statements = display.unmanaged(plan)
    sections = [
        (
            "Not in the file",
            "Live, left alone (set `prune` to delete):",
            [c.address for c in resources],
        ),
        (
            "Registry policy statements not in the file",
            "Left alone, even with `prune` (declare the Sid with `absent: true` to remove one):",
            [c.address for c in statements],
        ),
        (
            "Secret values not compared",
            "Planned with `--without-secret-values`: `ptc apply --plan` compares these values "
            "and updates those that differ.",
            list(plan.not_compared),
        ),
    ]
    parts: list[str] = []
    for heading, sentence, addresses in sections:
        if addresses:
            items = "\n".join(f"- `{address}`" for address in addresses)
            parts.append(f"#### {heading}\n\n{sentence}\n\n{items}")
    return parts
