"""ptc: Amazon ECR pull-through cache rules as code."""

__version__ = "0.2.0"
