"""The environment the client's own ``requests.Session`` would read on every request, read once instead.

With ``trust_env=True`` (its default) a session consults the environment again for each request: the proxy
variables and ``no_proxy`` (``Session.merge_environment_settings`` → ``get_environ_proxies`` →
``should_bypass_proxies`` and ``getproxies``), ``~/.netrc`` or ``$NETRC`` (``Session.prepare_request`` →
``get_netrc_auth``: the file is looked for, and parsed if it exists) and ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``.
Every request of a client goes to the scheme, host and port of its base URL (redirects are never followed), so
the answers depend on the environment alone. :func:`pin_environment` asks requests' own helpers once, for the base
URL, when the client is created, keeps the answers in the session and turns ``trust_env`` off.

Only the session the client creates is pinned: a caller's own ``session=`` is used as it is, and keeps requests'
per-request behaviour.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import requests
from requests.utils import get_environ_proxies, get_netrc_auth, select_proxy


def pin_environment(session: requests.Session, base_url: str, verify: bool | str) -> bool | str:
    """Resolve, for requests to ``base_url``, what ``session`` would read from the environment on every request;
    keep it in the session and set ``session.trust_env = False``. Returns the ``verify`` to send with each request.

    The same rules as requests', by its own helpers:

    * proxies: ``get_environ_proxies`` (nothing when ``no_proxy``/``NO_PROXY`` covers the host; else
      ``http_proxy``, ``https_proxy``, ``all_proxy`` in either case, lowercase first), of which ``select_proxy``
      picks the one requests would use for this URL; it becomes ``session.proxies``;
    * netrc: ``get_netrc_auth`` for the base URL's host; an entry becomes ``session.auth`` (HTTP basic auth, as
      requests adds it to a request without auth of its own — the client never sets any);
    * ``verify=True`` becomes ``REQUESTS_CA_BUNDLE``, else ``CURL_CA_BUNDLE``, when one is set and not empty
      (``False`` or a path is kept).
    """
    proxy = select_proxy(base_url, get_environ_proxies(base_url))
    if proxy:
        session.proxies = {urlsplit(base_url).scheme: proxy}
    auth = get_netrc_auth(base_url)
    if auth is not None:
        session.auth = auth
    session.trust_env = False
    if verify is True:
        return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return verify
