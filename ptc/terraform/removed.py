"""The `removed` blocks that make Terraform forget what ptc took over, without destroying it.

`removed` (Terraform 1.7+) names a resource block without instance keys, also inside
modules (`module.x.aws_…`, declared in the root module), and covers all its instances.
"""

from __future__ import annotations

HEADER = """\
# Written by 'ptc import-terraform': ptc manages these resources now. Delete their resource
# blocks from the configuration and keep this file: each block below makes Terraform forget
# a resource (every instance of it) without destroying it. 'terraform plan' should then show
# nothing to destroy. Needs Terraform 1.7 or later.
"""


def render(blocks: list[str]) -> str:
    body = "\n".join(
        f"removed {{\n  from = {block}\n\n  lifecycle {{\n    destroy = false\n  }}\n}}\n"
        for block in blocks
    )
    return f"{HEADER}\n{body}"
