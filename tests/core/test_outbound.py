"""Outbound requests: what platforms name is fetched only from public addresses, over https, without
redirects, within a deadline and a size limit.

Every server here listens on 127.0.0.1. Names are answered from a table (numeric hosts as the system
reads them), so no test sends a DNS query, and a guard refuses any connection that would leave this
machine, recording where each one went.
"""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections import Counter

import pytest
import requests
import trustme
import urllib3.util.connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.core import outbound
from lms.core.outbound import OutboundRefused, Policy

PUBLIC = "93.184.215.14"
LOCAL = Policy(allow_loopback=True)
DOCUMENT = {"issuer": "https://platform.example", "keys": []}


# --- name resolution and connections ---------------------------------------------------------------


class Resolver:
    """Answers names from a table, and numeric hosts ("127.1", "2130706433") as the system does."""

    def __init__(self, system) -> None:
        self._system = system
        self._table: dict[str, list[tuple[str, ...]]] = {"localhost": [("127.0.0.1",)]}
        self.asked: Counter[str] = Counter()

    def answer(self, name: str, *answers: tuple[str, ...]) -> None:
        """Answer ``name`` with each tuple of addresses in turn; the last one stays."""
        self._table[name] = list(answers)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        self.asked[name] += 1
        if name not in self._table:
            return self._system(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        answers = self._table[name]
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [_address_info(address, port) for address in addresses]


def _address_info(address: str, port):
    if ipaddress.ip_address(address).version == 4:
        return socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port)
    return socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0)


@pytest.fixture(autouse=True)
def resolver(monkeypatch) -> Resolver:
    fake = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture(autouse=True)
def connections(monkeypatch) -> list[tuple[str, int]]:
    """Where each connection went; one to an address off this machine is refused before it is made."""
    attempts: list[tuple[str, int]] = []
    system = urllib3.util.connection.create_connection

    def guarded(address, *args, **kwargs):
        attempts.append((address[0], address[1]))
        try:
            local = ipaddress.ip_address(address[0]).is_loopback
        except ValueError:  # a name: whatever it resolves to now was never checked
            local = False
        if not local:
            raise ConnectionRefusedError(f"no test connects to {address[0]}")
        return system(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", guarded)
    return attempts


# --- local servers -------------------------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length)
        self.server.seen.append({"method": self.command, "path": self.path, "host": self.headers["Host"]})
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
        else:
            route(self)

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format, *args) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    """Answers each path with its route, on 127.0.0.1, over TLS when given a context."""

    def __init__(self, routes: dict, context: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes = routes
        self.context = context
        self.seen: list[dict] = []
        self.server_names: list[str | None] = []
        self.stop = threading.Event()
        if context is not None:
            context.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/doc", host: str = "127.0.0.1") -> str:
        return f"{'https' if self.context else 'http'}://{host}:{self.port}{path}"

    def finish_request(self, request, client_address) -> None:
        if self.context is None:
            return super().finish_request(request, client_address)
        with self.context.wrap_socket(request, server_side=True) as tls:
            super().finish_request(tls, client_address)

    def handle_error(self, request, client_address) -> None:
        pass  # a client that hung up, as NordLearn does on a refused answer

    def close(self) -> None:
        self.stop.set()
        self.shutdown()
        self.server_close()
        self._thread.join()


@pytest.fixture
def serve():
    servers: list[Server] = []

    def start(routes: dict, *, certificate: trustme.LeafCert | None = None) -> Server:
        context = None
        if certificate is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            certificate.configure_cert(context)
        servers.append(Server(routes, context))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _answer(handler, body: bytes, *, status: int = 200, headers: dict | None = None, length: bool = True) -> None:
    handler.send_response(status)
    for name, value in (headers or {"Content-Type": "application/json"}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def document(handler) -> None:
    _answer(handler, json.dumps(DOCUMENT).encode())


def echo(handler) -> None:
    _answer(handler, json.dumps({"received": json.loads(handler.body)}).encode())


def moved(handler) -> None:
    _answer(handler, b"", status=302, headers={"Location": handler.server.url("/doc")})


def slow_headers(handler) -> None:
    handler.server.stop.wait(3)
    document(handler)


def stalled_body(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    handler.wfile.write(b"x" * 10)
    handler.server.stop.wait(3)


def trickling_body(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    for _ in range(1000):
        handler.wfile.write(b"x")
        if handler.server.stop.wait(0.1):
            return


def trickling_headers(handler) -> None:
    handler.wfile.write(b"HTTP/1.0 200 OK\r\nX-Padding: ")
    for _ in range(1000):
        handler.wfile.write(b"x")
        if handler.server.stop.wait(0.1):
            return


def _refused(http: requests.Session, url: str, **kwargs) -> str:
    with pytest.raises(OutboundRefused) as refusal:
        http.get(url, **kwargs)
    return refusal.value.reason


# --- what is fetched -------------------------------------------------------------------------------------


def test_gets_and_posts_json_on_loopback_when_allowed(serve):
    server = serve({"/doc": document, "/echo": echo})
    with outbound.session(LOCAL) as http:
        assert http.get(server.url("/doc")).json() == DOCUMENT
        answer = http.post(server.url("/echo"), json={"client_id": "abc"})
    assert answer.status_code == 200
    assert answer.json() == {"received": {"client_id": "abc"}}
    assert [(s["method"], s["host"]) for s in server.seen] == [("GET", f"127.0.0.1:{server.port}"),
                                                               ("POST", f"127.0.0.1:{server.port}")]


def test_https_on_localhost_with_a_trusted_certificate(serve, ca, ca_file):
    server = serve({"/doc": document}, certificate=ca.issue_cert("localhost"))
    with outbound.session(LOCAL) as http:
        http.verify = ca_file
        assert http.get(server.url(host="localhost")).text == json.dumps(DOCUMENT)


def test_loopback_is_refused_unless_allowed(serve, ca, connections):
    plain = serve({"/doc": document})
    secure = serve({"/doc": document}, certificate=ca.issue_cert("localhost"))
    with outbound.session() as http:
        assert _refused(http, plain.url()) == "address"
        assert _refused(http, secure.url(host="localhost")) == "address"
    assert connections == []
    assert plain.seen == secure.seen == []


def test_https_connects_to_the_vetted_address_and_names_the_host(serve, ca, ca_file, resolver, connections):
    server = serve({"/doc": document}, certificate=ca.issue_cert("platform.example"))
    resolver.answer("platform.example", ("127.0.0.1",))
    with outbound.session(LOCAL) as http:
        answer = http.get(server.url(host="platform.example"), verify=ca_file)
    assert answer.json() == DOCUMENT
    assert connections == [("127.0.0.1", server.port)]
    assert server.server_names == ["platform.example"]
    assert server.seen[0]["host"] == f"platform.example:{server.port}"
    assert resolver.asked["platform.example"] == 1


@pytest.mark.parametrize("public", [PUBLIC, "2606:4700::1111"])
def test_a_name_that_rebinds_keeps_its_vetted_address(public, resolver, connections):
    resolver.answer("platform.example", (public,), ("127.0.0.1",))
    with outbound.session() as http:
        with pytest.raises(requests.ConnectionError):  # the guard stands in for the public host
            http.get("https://platform.example/.well-known/openid-configuration")
        assert connections == [(public, 443)]
        assert resolver.asked["platform.example"] == 1
        # The next request resolves anew, and meets the new answer's check.
        assert _refused(http, "https://platform.example/jwks") == "address"
    assert connections == [(public, 443)]


def test_http_is_refused_for_a_public_host(resolver, connections):
    resolver.answer("platform.example", (PUBLIC,))
    for policy in (Policy(), LOCAL):
        with outbound.session(policy) as http:
            assert _refused(http, "http://platform.example/jwks") == "scheme"
            assert _refused(http, f"http://{PUBLIC}/jwks") == "scheme"
    assert connections == []


@pytest.mark.parametrize("host", [
    "127.0.0.1", "127.8.9.10", "[::1]", "0.0.0.0", "[::]", "0", "2130706433", "0x7f.1", "0177.0.0.1", "127.1",
    "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254", "[fe80::1]", "[fc00::1]",
    "[fd12:3456::1]", "[fec0::1]", "224.0.0.1", "[ff02::1]", "240.0.0.1", "255.255.255.255", "192.0.2.1",
    "198.18.0.1", "[::ffff:127.0.0.1]", "[::ffff:169.254.169.254]", "[::ffff:10.0.0.1]", "[::127.0.0.1]",
    "[2002:7f00:1::]", "[2002:a9fe:a9fe::]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]", "[64:ff9b::7f00:1]",
])
def test_addresses_off_the_public_internet_are_refused(host, connections):
    with outbound.session() as http:
        assert _refused(http, f"https://{host}/") == "address"
    assert connections == []


@pytest.mark.parametrize("addresses", [
    ("127.0.0.1",), ("169.254.169.254",), ("10.0.0.7",), ("::1",), ("fd00::7",), ("::ffff:127.0.0.1",),
    (PUBLIC, "10.0.0.7"), ("2606:4700::1111", "fe80::1"),
])
def test_names_with_any_address_off_the_public_internet_are_refused(addresses, resolver, connections):
    resolver.answer("platform.example", addresses)
    with outbound.session() as http:
        assert _refused(http, "https://platform.example/jwks") == "address"
    assert connections == []


@pytest.mark.parametrize("addresses", [
    ("0.0.0.0",), ("10.0.0.1",), ("169.254.169.254",), ("::ffff:127.0.0.1",), ("127.0.0.1", "10.0.0.1"),
])
def test_allowing_loopback_opens_nothing_else(addresses, resolver, connections):
    resolver.answer("localhost", addresses)
    with outbound.session(LOCAL) as http:
        assert _refused(http, "http://localhost:8000/") == "address"
    assert connections == []


@pytest.mark.parametrize("url", [
    "https://user:secret@platform.example/", "https://user@platform.example/", "https://:secret@platform.example/",
    "http://admin:admin@127.0.0.1:8000/", "https://ü:ñ@platform.example/",
])
def test_credentials_in_the_url_are_refused(url, resolver, connections):
    with outbound.session(LOCAL) as http:
        assert _refused(http, url) == "credentials"
    assert not resolver.asked
    assert connections == []


@pytest.mark.parametrize("url", [
    "ftp://platform.example/keys", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "javascript:alert(1)",
    "dict://127.0.0.1:11211/stats",
])
def test_other_schemes_are_refused(url, resolver, connections):
    with outbound.session(LOCAL) as http:
        assert _refused(http, url) == "scheme"
    assert not resolver.asked
    assert connections == []


@pytest.mark.parametrize("url", ["a://[", "https://[::1/", "https://platform.example:99999/", "https://",
                                 f"https://{'a' * 64}.example/"])
def test_malformed_urls_are_refused(url, connections):
    with outbound.session() as http:
        assert _refused(http, url) == "url"
    assert connections == []


def test_a_name_that_does_not_resolve_fails_as_a_connection(resolver):
    with outbound.session() as http, pytest.raises(requests.ConnectionError) as failure:
        http.get("https://unknown.example/")
    assert not isinstance(failure.value, OutboundRefused)
    assert resolver.asked["unknown.example"] == 1


# --- how it is fetched -------------------------------------------------------------------------------------


def test_redirects_are_refused_not_followed(serve):
    server = serve({"/moved": moved, "/doc": document})
    with outbound.session(LOCAL) as http:
        assert _refused(http, server.url("/moved"), allow_redirects=True) == "redirect"
        assert _refused(http, server.url("/moved")) == "redirect"
    assert [s["path"] for s in server.seen] == ["/moved", "/moved"]


def test_the_certificate_must_name_the_host(serve, ca, ca_file):
    server = serve({"/doc": document}, certificate=ca.issue_cert("other.example"))
    with outbound.session(LOCAL) as http, pytest.raises(requests.exceptions.SSLError):
        http.get(server.url(host="localhost"), verify=ca_file)
    assert server.seen == []


def test_proxies_are_ignored(serve, monkeypatch):
    server = serve({"/doc": document})
    proxy = serve({})
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy.url("/"))
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with outbound.session(LOCAL) as http:
        http.trust_env = True
        assert http.get(server.url(), proxies={"http": proxy.url("/"), "https": proxy.url("/")}).json() == DOCUMENT
    assert len(server.seen) == 1
    assert proxy.seen == []


def test_the_policy_holds_whatever_the_caller_sets(serve):
    server = serve({"/doc": document})
    with outbound.session() as http:
        http.mount("http://", requests.adapters.HTTPAdapter())
        http.max_redirects = 30
        assert _refused(http, server.url(), timeout=None, allow_redirects=True) == "address"
    with outbound.session(LOCAL) as http:
        answer = http.get(server.url(), stream=True)
        assert answer.json() == DOCUMENT
        assert b"".join(answer.iter_content(8)) == answer.content
    assert len(server.seen) == 1


def test_slow_headers_time_out_whatever_timeout_the_caller_asks(serve):
    server = serve({"/slow": slow_headers})
    started = time.monotonic()
    with outbound.session(Policy(allow_loopback=True, read_timeout=0.3)) as http:
        assert _refused(http, server.url("/slow"), timeout=60) == "timeout"
    assert time.monotonic() - started < 1.5


def test_a_stalled_body_times_out(serve):
    server = serve({"/stalled": stalled_body})
    with outbound.session(Policy(allow_loopback=True, read_timeout=0.3)) as http:
        assert _refused(http, server.url("/stalled"), timeout=(60, 60)) == "timeout"


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize("route", [trickling_body, trickling_headers])
def test_an_answer_that_trickles_in_is_cut_at_the_deadline(route, tls, serve, ca, ca_file):
    server = serve({"/trickle": route}, certificate=ca.issue_cert("localhost") if tls else None)
    started = time.monotonic()
    with outbound.session(Policy(allow_loopback=True, read_timeout=0.5, deadline=1.0)) as http:
        assert _refused(http, server.url("/trickle", host="localhost"), verify=ca_file) == "timeout"
    assert 0.9 < time.monotonic() - started < 2.0


def _declared(handler) -> None:
    _answer(handler, b"x" * 20_000)


def _undeclared(handler) -> None:
    _answer(handler, b"x" * 20_000, length=False)


def _compressed(handler) -> None:
    _answer(handler, gzip.compress(b"\0" * 5_000_000), headers={"Content-Encoding": "gzip"})


@pytest.mark.parametrize("route", [_declared, _undeclared, _compressed])
def test_a_body_over_max_bytes_is_refused(route, serve):
    server = serve({"/big": route})
    with outbound.session(Policy(allow_loopback=True, max_bytes=10_000)) as http:
        assert _refused(http, server.url("/big")) == "too-large"


def test_a_body_of_exactly_max_bytes_is_read(serve):
    server = serve({"/full": lambda handler: _answer(handler, b"x" * 10_000, length=False)})
    with outbound.session(Policy(allow_loopback=True, max_bytes=10_000)) as http:
        assert len(http.get(server.url("/full")).content) == 10_000


# --- any string at all ---------------------------------------------------------------------------------

HOSTS = st.sampled_from([
    "localhost", "127.0.0.1", "[::1]", "0", "2130706433", "0x7f.1", PUBLIC, f"{PUBLIC}:80", "platform.example",
    "[::ffff:127.0.0.1]", "169.254.169.254", "user:pw@localhost", "", "[", "a" * 70, "xn--", "%00",
])
URLS = st.one_of(
    st.text(),
    st.builds("{}://{}{}".format, st.sampled_from(["https", "http", "HTTPS", "ftp", "file", "", "javascript"]),
              st.one_of(HOSTS, st.text()), st.text()),
)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=URLS)
def test_any_url_string_gives_an_answer_or_a_requests_error(url, connections):
    with outbound.session() as http:
        try:
            answer = http.get(url)
        except requests.RequestException:
            pass
        else:
            assert isinstance(answer, requests.Response)
    assert all(ipaddress.ip_address(host).is_global for host, _port in connections)
