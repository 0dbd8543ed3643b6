"""Carrying out plans: the executor over independent targets, apply, and the core loop."""
