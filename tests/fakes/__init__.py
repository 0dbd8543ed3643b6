"""In-memory stand-ins for ptc's ports, for unit tests that need no AWS and no moto."""
