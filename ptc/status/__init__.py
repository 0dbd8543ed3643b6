"""`ptc status`: the repositories the cache created, and whether they still match their template.

Repository creation templates act only when ECR creates a repository; repositories created
before a template existed or changed keep their old settings. This package computes, from
data, which rule and template each repository belongs to and how it drifts from the file's
template (models, match, drift, report), and the backfill that brings it back (backfill).
It imports neither boto3 nor anything that prints; ptc.aws.repositories reads and writes.
"""
