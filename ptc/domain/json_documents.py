"""JSON policy documents as text: the one spelling ptc sends to ECR and compares.

ECR and Secrets Manager hand back policies reformatted, so every comparison (plan, drift,
the registry policy's statements, the size checks) goes through one canonical spelling.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(document: Any) -> str:
    """The compact, key-sorted text ptc sends to ECR and compares with what ECR returns."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
