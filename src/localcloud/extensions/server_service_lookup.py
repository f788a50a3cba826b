"""moto's server lists its own package once to tell a service name from a host, not at every request.

To find which service a request is for, moto's dispatcher asks whether the host names one of its service
modules, and `list_of_moto_modules` answered by listing moto's package directory and checking each of its
174 entries on disk: about 1 ms of the server's CPU for every control-plane call, 30 calls in a switch. The
installed moto does not change while the server runs, so the listing is read once, with the same names.
Doc: https://docs.aws.amazon.com/general/latest/gr/rande.html (service endpoints; moto matches hosts by them)
"""

import functools
from collections.abc import Callable, Iterable

from localcloud.patches import Patch, register

from ._moto import backends


def _listed_once(list_modules: Callable[[], Iterable[str]]) -> Callable[[], tuple[str, ...]]:
    @functools.cache
    def list_of_moto_modules() -> tuple[str, ...]:
        return tuple(list_modules())

    return list_of_moto_modules


register(
    __name__,
    Patch(backends, "list_of_moto_modules", "moto's service modules are listed once", wrap=_listed_once),
)
