"""pydantic plugins: ptc runs without them, unless the user says otherwise.

The first time pydantic builds a validator it looks for plugins: it imports
`pydantic.plugin._loader`, which imports importlib.metadata (and the email package with it),
and scans the entry points of every installed distribution. Of `ptc validate`, that was
about a tenth. ptc's models are its own and no plugin observes them, so ptc sets pydantic's
documented switch, PYDANTIC_DISABLE_PLUGINS, unless the user set it. With every plugin off,
pydantic's loader answers "no plugins" before consulting anything; `_Loader` gives the same
answer without importing importlib.metadata, and hands over to pydantic's own loader (it
imports it then) if the switch is changed afterwards.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Iterable
from typing import Any

SWITCH = "PYDANTIC_DISABLE_PLUGINS"
_LOADER = "pydantic.plugin._loader"
_ALL_OFF = ("__all__", "1", "true")  # the values pydantic reads as "every plugin off"


class _Loader(types.ModuleType):
    """Stands in for pydantic.plugin._loader (pydantic imports `get_plugins` from it)."""

    def get_plugins(self) -> Iterable[Any]:
        if os.environ.get(SWITCH) in _ALL_OFF:
            return ()
        plugins: Iterable[Any] = _real_loader(self).get_plugins()
        return plugins

    def __getattr__(self, name: str) -> Any:
        # A later pydantic may import more from its loader than `get_plugins`: hand over.
        if name.startswith("__"):  # the import system probing (__path__, __spec__ ...)
            raise AttributeError(name)
        return getattr(_real_loader(self), name)


def _real_loader(stand_in: types.ModuleType) -> Any:
    """pydantic's own loader, imported in place of the stand-in."""
    if sys.modules.get(_LOADER) is stand_in:
        del sys.modules[_LOADER]
    return importlib.import_module(_LOADER)


def disable_plugins() -> None:
    """Called once, by the `ptc` entry point, before any model is built."""
    os.environ.setdefault(SWITCH, "__all__")
    if os.environ[SWITCH] in _ALL_OFF and _LOADER not in sys.modules:
        sys.modules[_LOADER] = _Loader(_LOADER)
