"""Planning: desired state, live state, the diff between them, and its renderings."""
