"""The environment requests reads per request (proxies, ``no_proxy``, netrc, the CA bundle) is read once, when the
client creates its session: the same routing and settings as requests gives, no environment reads per request, and
a caller's own session left as it is (with requests' per-request behaviour).

Everything runs on loopback: the proxy is a small forward proxy started here, which records the absolute-URI
requests it gets and forwards them to the local sessions server.
"""

from __future__ import annotations

import base64
import http.client
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import requests.adapters
import requests.sessions
import requests.utils

from eliza_client import ElizaClient
from eliza_client.testing import LocalSessionsServer

USER = "3f2e1d0c-9b8a-4765-8432-10fedcba9876"
ENVIRONMENT = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NETRC",
)
# Not forwarded: they are about the connection to the proxy, not the request.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "upgrade"}


class ForwardProxy(ThreadingHTTPServer):
    """A loopback HTTP forward proxy: records (method, absolute URI, headers) of every request it gets."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def uris(self) -> list[str]:
        with self.lock:
            return [uri for _, uri, _ in self.seen]


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ForwardProxy

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _forward(self) -> None:
        with self.server.lock:
            self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        target = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if target.scheme != "http" or target.hostname is None:  # a proxy is asked for absolute URIs only
            self.send_error(400, "absolute http URI expected")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
        try:
            upstream.request(self.command, target.path + (f"?{target.query}" if target.query else ""), body, headers)
            response = upstream.getresponse()
            data = response.read()
        finally:
            upstream.close()
        self.send_response_only(response.status, response.reason)  # the server's own Date, no second one
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_HEAD = _forward


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy, CA bundle or netrc from the machine running the tests (NETRC names a file that does not exist)."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def server() -> Iterator[LocalSessionsServer]:
    with LocalSessionsServer(rate_limit=None, reply_delay=0.01) as running:
        yield running


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    running = ForwardProxy()
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join(5)


def _own_session(client: ElizaClient) -> requests.Session:
    return client._transport.generated.get_requests_session()


def _exercise(client: ElizaClient, server: LocalSessionsServer) -> None:
    """A read, a create, a get and a send: GET and POST, with and without a body."""
    client.sessions.health()
    session = client.sessions.create(server.agent_id, USER)
    client.sessions.get(session.id)
    client.sessions.send_message(session.id, "through the proxy?")


# --- proxies ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_the_environment_s_proxy_carries_every_request(
    variable: str, server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    with ElizaClient(server.base_url) as client:
        _exercise(client, server)
        assert _own_session(client).proxies == {"http": proxy.url}
    uris = proxy.uris
    assert len(uris) == 4
    assert all(uri.startswith(f"{server.base_url}/api/messaging/sessions") for uri in uris)


def test_an_https_proxy_is_not_used_for_an_http_base_url(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    with ElizaClient(server.base_url) as client:
        client.sessions.health()
        assert _own_session(client).proxies == {}
    assert proxy.uris == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NO_PROXY", "127.0.0.1"),
        ("no_proxy", "127.0.0.1"),
        ("NO_PROXY", "example.com, 127.0.0.0/8"),
        ("NO_PROXY", "*"),
    ],
)
def test_no_proxy_covering_the_host_goes_direct(
    variable: str, value: str, server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv(variable, value)
    with ElizaClient(server.base_url) as client:
        _exercise(client, server)
        assert _own_session(client).proxies == {}
    assert proxy.uris == []


def test_no_proxy_with_a_host_name_and_port_goes_direct(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = urlsplit(server.base_url).port
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("no_proxy", f"localhost:{port}")
    with ElizaClient(f"http://localhost:{port}") as client:
        client.sessions.health()
        assert _own_session(client).proxies == {}
    assert proxy.uris == []


PROXY_A, PROXY_B, PROXY_C = (
    "http://proxy-a.invalid:3128",
    "http://proxy-b.invalid:8080",
    "socks5://proxy-c.invalid:1080",
)


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"HTTP_PROXY": PROXY_A},
        {"http_proxy": PROXY_A, "HTTP_PROXY": PROXY_B},  # lowercase first
        {"HTTPS_PROXY": PROXY_A},
        {"https_proxy": PROXY_A, "http_proxy": PROXY_B},
        {"ALL_PROXY": PROXY_C},
        {"ALL_PROXY": PROXY_C, "HTTP_PROXY": PROXY_A},
        {"ALL_PROXY": PROXY_C, "HTTPS_PROXY": PROXY_A},
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "api.example.com"},
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": ".example.com"},
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "example.com"},
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "api.example.com:8443"},
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "api.example.com:9999"},
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "other.example.org, api.example.com "},
        {"HTTP_PROXY": PROXY_A, "no_proxy": "localhost", "NO_PROXY": "api.example.com"},  # lowercase first
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "10.0.0.0/8"},
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "10.1.2.3"},
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "10.1.2.3:8443"},  # requests ignores the port of an address
        {"HTTP_PROXY": PROXY_A, "NO_PROXY": "*"},
        {"HTTP_PROXY": ""},
    ],
)
@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.example.com:8443",
        "https://api.example.com:8443",
        "https://api.example.com",
        "http://10.1.2.3:8443",
        "https://user:pass@api.example.com/base",
    ],
)
def test_the_pinned_proxy_is_the_one_requests_picks_per_request(
    environment: Mapping[str, str], base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    url = f"{base_url}/api/messaging/sessions/x?limit=1"
    naive = requests.Session()  # trust_env: what requests resolves for this request
    settings = naive.merge_environment_settings(url, {}, None, True, None)
    expected = requests.utils.select_proxy(url, settings["proxies"])
    client = ElizaClient(base_url)  # no request is made
    pinned = _own_session(client)
    assert pinned.trust_env is False
    assert requests.utils.select_proxy(url, pinned.proxies) == expected
    assert pinned.merge_environment_settings(url, {}, None, True, None)["proxies"] == pinned.proxies
    client.close()
    naive.close()


def test_no_proxy_for_another_host_still_proxies(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost,.internal.example,10.0.0.0/8")
    with ElizaClient(server.base_url) as client:
        client.sessions.health()
    assert len(proxy.uris) == 1


def test_a_proxy_set_after_the_client_was_created_is_not_used(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ElizaClient(server.base_url) as client:
        client.sessions.health()
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        _exercise(client, server)
    assert proxy.uris == []
    with ElizaClient(server.base_url) as fresh:  # a new client reads the environment again
        fresh.sessions.health()
    assert len(proxy.uris) == 1


def test_a_proxy_removed_after_the_client_was_created_is_still_used(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with ElizaClient(server.base_url) as client:
        client.sessions.health()
        monkeypatch.delenv("HTTP_PROXY")
        monkeypatch.setenv("NO_PROXY", "*")
        _exercise(client, server)
    assert len(proxy.uris) == 5


def test_with_options_copies_share_the_pinned_routing(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with ElizaClient(server.base_url) as client:
        monkeypatch.delenv("HTTP_PROXY")
        client.with_options(max_retries=0).sessions.health()
    assert len(proxy.uris) == 1


# --- a caller's own session ---------------------------------------------------------------------------------


def test_a_caller_s_session_is_left_as_it_is_and_reads_the_environment_per_request(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password netrc-secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "bundle.pem"))
    own = requests.Session()
    adapters = dict(own.adapters)
    with ElizaClient(server.base_url, session=own) as client:
        client.sessions.health()
        assert len(proxy.uris) == 1
        assert own.trust_env is True
        assert own.proxies == {}
        assert own.auth is None
        assert own.verify is True
        assert own.adapters == adapters
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # requests reads it for the next request
        client.sessions.health()
        assert len(proxy.uris) == 1
    own.close()


# --- netrc --------------------------------------------------------------------------------------------------


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_netrc_credentials_for_the_host_are_read_once(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # requests adds basic auth from netrc for the host to a request without auth of its own: the client keeps
    # doing that (the API itself authenticates with X-API-KEY), reading the file once.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password netrc-secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)  # the proxy shows the headers as sent
    with ElizaClient(server.base_url) as client:
        client.sessions.health()
        netrc.write_text("machine 127.0.0.1 login mallory password changed\n")
        client.sessions.health()
        netrc.unlink()
        client.sessions.health()
    with proxy.lock:
        sent = [headers.get("Authorization") for _, _, headers in proxy.seen]
    assert sent == [_basic("alice", "netrc-secret")] * 3


def test_credentials_from_the_environment_never_reach_a_log_line(
    server: LocalSessionsServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A netrc password and a proxy URL's password are secrets like the API key: whatever text carries them (a
    # server echo, a proxy's error page quoted in a log line) is scrubbed while the client lives.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password netrc-pw-4711\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", "http://bob:proxy%2Dpw%2D0815@127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    caplog.set_level(logging.INFO, logger="eliza_client")
    with ElizaClient(server.base_url):
        logging.getLogger("eliza_client").info("echo: netrc-pw-4711 proxy-pw-0815 proxy%2Dpw%2D0815")
    text = caplog.text
    assert "echo:" in text
    assert "netrc-pw-4711" not in text
    assert "proxy-pw-0815" not in text
    assert "proxy%2Dpw%2D0815" not in text


def test_no_netrc_entry_for_the_host_sends_no_authorization(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine elsewhere.example login alice password netrc-secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with ElizaClient(server.base_url) as client:
        client.sessions.health()
        assert _own_session(client).auth is None
    with proxy.lock:
        assert [headers.get("Authorization") for _, _, headers in proxy.seen] == [None]


# --- the CA bundle ------------------------------------------------------------------------------------------


class AdapterSpy:
    """Records the ``verify`` the adapter checks each request's connection with (``HTTPAdapter.cert_verify``, called
    by ``send`` for every request in every requests release this project supports)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[object] = []
        original = requests.adapters.HTTPAdapter.cert_verify

        def spy(adapter: requests.adapters.HTTPAdapter, conn: Any, url: str, verify: Any, cert: Any) -> None:
            self.calls.append(verify)
            original(adapter, conn, url, verify, cert)

        monkeypatch.setattr(requests.adapters.HTTPAdapter, "cert_verify", spy)

    @property
    def verify(self) -> list[object]:
        return list(self.calls)


@pytest.fixture
def bundles(tmp_path: Path) -> tuple[str, str]:
    first, second = tmp_path / "requests-bundle.pem", tmp_path / "curl-bundle.pem"
    first.write_text("")
    second.write_text("")
    return str(first), str(second)


@pytest.mark.parametrize(
    ("environment", "verify", "expected"),
    [
        ({"REQUESTS_CA_BUNDLE": 0}, True, 0),
        ({"CURL_CA_BUNDLE": 1}, True, 1),
        ({"REQUESTS_CA_BUNDLE": 0, "CURL_CA_BUNDLE": 1}, True, 0),
        ({"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": 1}, True, 1),  # empty means unset, as in requests
        ({}, True, True),
        ({"REQUESTS_CA_BUNDLE": 0}, False, False),
        ({"REQUESTS_CA_BUNDLE": 0}, 1, 1),  # an explicit bundle wins
    ],
)
def test_the_ca_bundle_from_the_environment_reaches_the_adapter(
    environment: Mapping[str, int | str],
    verify: bool | int,
    expected: bool | int,
    bundles: tuple[str, str],
    server: LocalSessionsServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def resolve(value: bool | int | str) -> bool | str:
        return bundles[value] if isinstance(value, int) and not isinstance(value, bool) else value

    for name, value in environment.items():
        monkeypatch.setenv(name, bundles[value] if isinstance(value, int) else value)
    spy = AdapterSpy(monkeypatch)
    with ElizaClient(server.base_url, verify=resolve(verify)) as client:
        client.sessions.health()
        client.sessions.health()
    assert spy.verify == [resolve(expected)] * 2


def test_a_ca_bundle_set_after_the_client_was_created_is_not_used(
    bundles: tuple[str, str], server: LocalSessionsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundles[0])
    spy = AdapterSpy(monkeypatch)
    with ElizaClient(server.base_url) as pinned:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundles[1])
        pinned.sessions.health()
        monkeypatch.delenv("REQUESTS_CA_BUNDLE")
        pinned.sessions.health()
    assert spy.verify == [bundles[0]] * 2


# --- nothing is read per request ----------------------------------------------------------------------------


class EnvironmentReads:
    """Counts requests' looks at the environment: its helpers (in the modules that call them) and ``os.environ``
    as ``requests.sessions`` sees it."""

    HELPERS = (
        (requests.sessions, "get_environ_proxies"),
        (requests.sessions, "get_netrc_auth"),
        (requests.sessions, "resolve_proxies"),
        (requests.utils, "get_environ_proxies"),
        (requests.utils, "should_bypass_proxies"),
        (requests.utils, "getproxies"),
        (requests.utils, "proxy_bypass"),
        (requests.utils, "get_netrc_auth"),
    )

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()
        for module, name in self.HELPERS:
            monkeypatch.setattr(module, name, self._counting(f"{module.__name__}.{name}", getattr(module, name)))
        monkeypatch.setattr(requests.sessions, "os", _CountingOs(self._count))

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def _counting(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self._count(name)
            return function(*args, **kwargs)

        return counted

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()


class _CountingOs:
    """``os`` with an ``environ`` that counts reads."""

    def __init__(self, count: Callable[[str], None]) -> None:
        self.environ = _CountingEnviron(count)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


class _CountingEnviron:
    def __init__(self, count: Callable[[str], None]) -> None:
        self._count = count

    def get(self, key: str, default: Any = None) -> Any:
        self._count(f"os.environ[{key!r}]")
        return os.environ.get(key, default)

    def __getitem__(self, key: str) -> str:
        self._count(f"os.environ[{key!r}]")
        return os.environ[key]

    def __contains__(self, key: object) -> bool:
        self._count(f"os.environ[{key!r}]")
        return key in os.environ


def test_the_environment_is_not_read_per_request(
    server: LocalSessionsServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password netrc-secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "bundle.pem"))
    reads = EnvironmentReads(monkeypatch)
    with ElizaClient(server.base_url) as client:
        reads.reset()
        for _ in range(10):
            client.sessions.health()
        session = client.sessions.create(server.agent_id, USER)
        for _ in range(9):
            client.sessions.get(session.id)
        assert reads.counts == {}
    assert len(proxy.uris) == 20

    # The counters do see requests' per-request reads: a trust_env session (a caller's) makes them every time.
    own = requests.Session()
    with ElizaClient(server.base_url, session=own) as client:
        reads.reset()
        for _ in range(20):
            client.sessions.health()
        assert reads.counts["requests.sessions.get_environ_proxies"] == 20
        assert reads.counts["requests.sessions.get_netrc_auth"] == 20
        assert reads.counts["os.environ['REQUESTS_CA_BUNDLE']"] == 20
    own.close()
