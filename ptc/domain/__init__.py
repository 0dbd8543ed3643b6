"""The bottom layer: what ECR, ARNs and registry policies are, as plain data and functions."""
