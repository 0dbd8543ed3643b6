"""Carrying out plans: the executor over independent targets, apply, backfill's writes, and
the core loop."""
