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
from ptc.plan.fleet import FleetPlan, fleet_address
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


def render_fleet_markdown(fleet: FleetPlan, *, max_chars: int = MAX_CHARS) -> str:
    """A plan over several accounts: one table of account × region, then each account's
    changes under its own heading, addresses starting with the account."""
    text = _fleet_document(fleet, with_diffs=True)
    if len(text) > max_chars:
        text = _fleet_document(fleet, with_diffs=False)
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
        parts += _changes(plan, with_diffs=with_diffs)
    resources, statements = display.unmanaged(plan)
    parts += _lists(
        [c.address for c in resources], [c.address for c in statements], list(plan.not_compared)
    )
    parts.append(
        f"<sub>ptc {__version__} · live state {plan.live_fingerprint[:19]}… · "
        f"{'prune on' if plan.prune else 'prune off'}</sub>"
    )
    # Descriptions, addresses and the account come from files and answers: a comment shows
    # their control characters escaped (line breaks and tabs are the document's own).
    return printable("\n\n".join(parts) + "\n", multiline=True)


def _changes(plan: Plan, *, with_diffs: bool, qualified: bool = False) -> list[str]:
    def named(change: AnyChange) -> str:
        return fleet_address(plan.account, change.address) if qualified else change.address

    if with_diffs:
        return [_change(c, named(c)) for c in plan.changes]
    return [
        "_The attribute diffs are left out: the plan is too large for one comment. "
        "`ptc show PLANFILE` shows them._",
        "\n".join(_line(c, named(c)) for c in plan.changes),
    ]


def _fleet_document(fleet: FleetPlan, *, with_diffs: bool) -> str:
    count = len(fleet.accounts)
    parts = [
        MARKER,
        f"### ptc plan for {count} account{'' if count == 1 else 's'}",
        f"**{display.fleet_summary_line(fleet)}**",
        _fleet_table(fleet),
    ]
    resources: list[str] = []
    statements: list[str] = []
    for account in fleet.plans:
        plan = account.plan
        assert plan is not None
        if plan.changes:
            parts.append(f"#### Changes in account `{account.account}`")
            parts += _changes(plan, with_diffs=with_diffs, qualified=True)
        left, unowned = display.unmanaged(plan)
        resources += [account.address(c) for c in left]
        statements += [account.address(c) for c in unowned]
    parts += _lists(resources, statements, fleet.not_compared)
    if fleet.failed:
        items = "\n".join(f"- `{a.account}`: {html.escape(a.error or '')}" for a in fleet.failed)
        parts.append(f"#### Accounts not planned\n\n{items}")
    if fleet.not_attempted:
        items = "\n".join(f"- `{a.account}`" for a in fleet.not_attempted)
        parts.append(f"#### Accounts not attempted (interrupted)\n\n{items}")
    parts.append(f"<sub>ptc {__version__} · {_prune(fleet)}</sub>")
    return printable("\n\n".join(parts) + "\n", multiline=True)


def _prune(fleet: FleetPlan) -> str:
    prune = {a.plan.prune for a in fleet.plans if a.plan is not None}
    return " and ".join("prune on" if p else "prune off" for p in sorted(prune)) or "no plan"


def _fleet_table(fleet: FleetPlan) -> str:
    names = [name for name, _ in _COLUMNS] + [_UNMANAGED_COLUMN]
    rows = [
        "| account | region | " + " | ".join(names) + " |",
        "|:--|:--" + "|--:" * len(names) + "|",
    ]
    for account in fleet.accounts:
        if account.plan is None:
            rows.append(
                f"| `{account.account}` | not planned | " + " | ".join("–" * len(names)) + " |"
            )
        else:
            rows += [f"| `{account.account}` {row}" for row in _region_rows(account.plan)]
    return "\n".join(rows)


def _table(plan: Plan) -> str:
    names = [name for name, _ in _COLUMNS] + [_UNMANAGED_COLUMN]
    rows = ["| region | " + " | ".join(names) + " |", "|:--" + "|--:" * len(names) + "|"]
    return "\n".join(rows + _region_rows(plan))


def _region_rows(plan: Plan) -> list[str]:
    rows = []
    for region in sorted(plan.regions):  # the order of the changes below
        counted = Counter(c.action for c in plan.changes if c.region == region)
        counts = [counted[action] for _, action in _COLUMNS]
        counts.append(sum(u.region == region for u in plan.unmanaged))
        rows.append(f"| `{region}` | " + " | ".join(map(str, counts)) + " |")
    return rows


def _heading(change: AnyChange, address: str) -> str:
    why = display.explanation(change)
    reason = f": {html.escape(why)}" if why else ""
    return (
        f"<code>{html.escape(display.MARKS[change.action])}</code> "
        f"<code>{html.escape(address)}</code> "
        f"{display.VERBS[change.action]}{reason}"
    )


def _line(change: AnyChange, address: str) -> str:
    return f"- {_heading(change, address)}"


def _change(change: AnyChange, address: str) -> str:
    body = _fenced("\n".join(_diff_lines(change)), "diff")
    return f"<details><summary>{_heading(change, address)}</summary>\n\n{body}\n\n</details>"


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


def _lists(resources: list[str], statements: list[str], not_compared: list[str]) -> list[str]:
    sections = [
        (
            "Not in the file",
            "Live, left alone (set `prune` to delete):",
            resources,
        ),
        (
            "Registry policy statements not in the file",
            "Left alone, even with `prune` (declare the Sid with `absent: true` to remove one):",
            statements,
        ),
        (
            "Secret values not compared",
            "Planned with `--without-secret-values`: `ptc apply --plan` compares these values "
            "and updates those that differ.",
            not_compared,
        ),
    ]
    parts: list[str] = []
    for heading, sentence, addresses in sections:
        if addresses:
            items = "\n".join(f"- `{address}`" for address in addresses)
            parts.append(f"#### {heading}\n\n{sentence}\n\n{items}")
    return parts
