"""The bottom layer: what ECR, ARNs and registry policies are, as plain data and functions.

catalog (ECR's facts: patterns, limits, upstreams, regions and partitions), arns (every ARN
ptc builds or parses), images (the image-reference grammar), json_documents (the canonical
spelling of policy documents), resources (what plan compares) and statements (registry
policy statements). It imports nothing of ptc but ptc.errors (tests/domain/test_layering.py).
"""
