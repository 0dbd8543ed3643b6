"""Every human-readable and machine rendering: plans, reports, status, findings.

The only package besides ptc.cli that imports rich; the core returns data and never prints.
"""
