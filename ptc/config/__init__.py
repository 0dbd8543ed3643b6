"""The rules file: YAML with marks, its version-1 models, and the documents it names."""
