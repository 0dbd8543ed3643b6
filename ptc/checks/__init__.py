"""Offline checks of a desired-state file: each with a stable ID, a severity and a fix."""
