"""Which moto backend answers a request, found once per host rather than once per request.

moto's server looks the backend up afresh for every request, under a lock every request
shares (moto 5.2, DomainDispatcherApplication.get_backend_for_host): it lists moto's package
folder, some 190 os.stat calls, to see whether the host names a module, then tries the
services' URL patterns one by one (ECR is the 57th of 183). That is about 1.3 ms of a
request's 5 ms, with every other request of a plan over many accounts waiting for the lock.
The answer depends on the host alone (`ecr.us-east-1.amazonaws.com`, made from the
request's signature) and moto's modules do not change while it runs, so it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

# Hosts are service × Region, a few hundred at most; a client making up Region names in its
# signatures must not grow the server without bound, so past this the lookup is not kept.
MAX_HOSTS: Final = 4096


class Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering each host's backend."""

    def __init__(self, create_app: Callable[..., Any]) -> None:
        super().__init__(create_app)
        self._backends: dict[str, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host is None:
            return None
        try:
            return self._backends[host]
        except KeyError:
            pass
        backend = super().get_backend_for_host(host)
        if len(self._backends) < MAX_HOSTS:
            self._backends[host] = backend
        return backend
