"""`ptc rewrite-images`: move image references onto the pull-through cache.

reference (the image reference grammar) → mapping (rules → cached reference) → one finder
per input kind (dockerfile, kubernetes, kustomize, compose, ecs, helm; detect picks one by
content and name; paths reads `--image-path`, variables finds `${VAR:-<image>}` defaults)
→ engine (splices the original text, reports per reference) → files (walk, read, atomic
write). Nothing in this package imports boto3, typer or rich.
"""
