"""A local, in-process imitation of the elizaOS Sessions API, for tests and demos (like ``moto``).

It imitates @elizaos/server 1.7.2 by default, or another release: ``LocalSessionsServer(server_version="1.6.5")``
(:data:`SERVER_VERSIONS`); 1.7.3-alpha.4 can also require JWTs (``data_isolation=True``; :func:`make_jwt`).

>>> from eliza_client.testing import LocalSessionsServer, ManualClock
>>> with LocalSessionsServer(clock=ManualClock()) as server:  # doctest: +SKIP
...     server.base_url, server.agent_id

It reproduces the real server's wire format and oddities (bare success bodies, five error shapes, clamping,
410-then-404 expiry, the pagination quirks, rate-limit headers), runs a deterministic agent (see
:mod:`eliza_client.testing._agent` for the ``[[agent:fail]]``-style markers), and can inject faults
(:class:`Faults`). ``python -m eliza_client.testing serve`` runs it as a command; the pytest plugin
(:mod:`eliza_client.testing.pytest_plugin`) provides the ``eliza_server`` and ``eliza_server_factory`` fixtures.
"""

from ._agent import FAIL_MARKER, NOSTREAM_MARKER, SILENT_MARKER, agent_id_for
from ._clock import Clock, ManualClock, SkewedClock, SystemClock
from ._faults import OPERATION_IDS, Faults
from ._jwt import make_jwt
from ._releases import DEFAULT_SERVER_VERSION, SERVER_VERSIONS
from ._server import LocalSessionsServer
from ._state import Settings

__all__ = [
    "DEFAULT_SERVER_VERSION",
    "FAIL_MARKER",
    "NOSTREAM_MARKER",
    "OPERATION_IDS",
    "SERVER_VERSIONS",
    "SILENT_MARKER",
    "Clock",
    "Faults",
    "LocalSessionsServer",
    "ManualClock",
    "Settings",
    "SkewedClock",
    "SystemClock",
    "agent_id_for",
    "make_jwt",
]

for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
