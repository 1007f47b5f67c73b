"""Every HTTP request NordLearn makes to a URL that someone else gave it.

Platforms name the URLs NordLearn fetches: an OpenID configuration, a
registration endpoint, a key set, a token endpoint, LTI Advantage services.
Anyone can run a platform, so each of these URLs is an attack surface: it could
point NordLearn at its own loopback services or the cloud's metadata address,
redirect there, or hold a worker with an answer that never ends. A session from
``session()`` makes every request it sends follow these rules, whatever
arguments a caller (NordLearn's code or pylti1p3) passes:

- https only; plain http only to loopback addresses, and only when the policy
  allows loopback (NordLearn served over http on a developer's machine). No user
  name or password in the URL.
- The host is resolved once and refused unless every address is public. The
  connection then goes to the vetted address itself, so a DNS answer that changes
  between the check and the connection (rebinding) cannot move it; TLS still sends
  the host name (SNI) and checks the certificate against it, and the Host header
  names it.
- Redirects are never followed: a 3xx answer is refused.
- Connect and read timeouts from the policy (a caller's shorter ones win), and a
  deadline for the whole request: when it passes, the connection is cut, whatever
  it is waiting for (a handshake, headers, a body that trickles in).
- At most ``max_bytes`` of body (after decompression) are read.
- Proxies and other settings from the environment are ignored.

A refusal raises ``OutboundRefused`` (a ``requests.RequestException``) with a
``reason``; other failures raise the usual requests exceptions.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ReadTimeoutError
from urllib3.util import Timeout

REASONS = ("scheme", "address", "redirect", "too-large", "timeout", "credentials", "url")
DEFAULT_PORTS = {"https": 443, "http": 80}
CHUNK_SIZE = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(requests.exceptions.RequestException):
    """NordLearn would not make, or would not finish, a request; ``reason`` is one of ``REASONS``."""

    def __init__(self, reason: str, message: str, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason


@dataclass(frozen=True)
class Policy:
    allow_loopback: bool = False  # development only: NordLearn itself served over http on a loopback address
    max_bytes: int = 1024 * 1024  # largest response body read
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    deadline: float = 10.0  # whole request, including a body that trickles in

    def __post_init__(self) -> None:
        if min(self.max_bytes, self.connect_timeout, self.read_timeout, self.deadline) <= 0:
            raise ValueError("the limits of an outbound policy must be positive")


def session(policy: Policy = Policy()) -> requests.Session:
    """A requests Session that applies ``policy`` to every request sent with it."""
    return _Session(policy)


class _Session(requests.Session):
    def __init__(self, policy: Policy) -> None:
        super().__init__()
        self.trust_env = False  # no proxies, .netrc credentials or CA bundle from the environment
        self.max_redirects = 0
        self._adapter = _PinnedAdapter(policy)
        self.adapters.clear()
        self.mount("https://", self._adapter)
        self.mount("http://", self._adapter)

    def get_adapter(self, url: str) -> HTTPAdapter:
        # Every URL, whatever its scheme and whatever adapter is mounted later, meets the policy.
        return self._adapter

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        # Checked before requests reads the URL: it lets a ValueError through for some malformed ones
        # ("a://[") and a UnicodeError for credentials it cannot encode.
        url = request.url.decode("utf-8", "replace") if isinstance(request.url, bytes) else str(request.url)
        _target(url.strip())
        return super().prepare_request(request)

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)


# --- what may be fetched ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    scheme: str
    hostname: str
    port: int

    @property
    def host_header(self) -> str:
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def _target(url: str) -> _Target:
    """The scheme, host and port of ``url``; refuses other schemes and credentials in the URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutboundRefused("url", f"not a valid URL: {error}") from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise OutboundRefused("scheme", f"only https URLs are fetched, not {scheme or 'scheme-less'} ones")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("credentials", "a URL with a user name or password is not fetched")
    if not parts.hostname:
        raise OutboundRefused("url", "the URL names no host")
    return _Target(scheme=scheme, hostname=parts.hostname, port=DEFAULT_PORTS[scheme] if port is None else port)


def _resolve(target: _Target) -> list[IPAddress]:
    try:
        answers = socket.getaddrinfo(target.hostname, target.port, type=socket.SOCK_STREAM)
    except ValueError as error:  # UnicodeError too: a label too long, a NUL byte
        raise OutboundRefused("url", f"{target.hostname!r} is not a host name") from error
    except OSError as error:
        raise requests.exceptions.ConnectionError(f"cannot resolve {target.hostname}: {error}") from error
    addresses = []
    for *_, sockaddr in answers:
        try:
            addresses.append(ipaddress.ip_address(sockaddr[0]))
        except ValueError as error:
            raise OutboundRefused("address", f"{target.hostname} resolves to {sockaddr[0]!r}") from error
    if not addresses:
        raise requests.exceptions.ConnectionError(f"{target.hostname} has no address")
    return addresses


def _embedded(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo), which a gateway may reach."""
    if address.version == 4:
        return []
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    return [inner for inner in found if inner is not None]


def _is_public(address: IPAddress) -> bool:
    """Whether ``address`` is globally routable, and so is every address it embeds."""
    special = (address.is_private, address.is_loopback, address.is_link_local, address.is_multicast,
               address.is_reserved, address.is_unspecified, getattr(address, "is_site_local", False))
    return address.is_global and not any(special) and all(_is_public(inner) for inner in _embedded(address))


def _vetted_address(target: _Target, policy: Policy) -> str:
    """The one address NordLearn connects to for ``target``, after checking every address it has."""
    addresses = _resolve(target)
    for address in addresses:
        if not (_is_public(address) or (policy.allow_loopback and address.is_loopback)):
            raise OutboundRefused("address", f"{target.hostname} resolves to {address}, not a public address")
    if target.scheme == "http" and not (policy.allow_loopback and all(a.is_loopback for a in addresses)):
        raise OutboundRefused("scheme", f"http://{target.hostname} is not fetched: use https")
    return str(addresses[0])


# --- how it is fetched ------------------------------------------------------------------------------


class _PinnedAdapter(HTTPAdapter):
    """Sends each request to the address vetted for its host, within the policy's limits."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        # The pool, and so the connection, is keyed by the vetted address, not by the host name: nothing
        # resolves the name again. TLS gets the name for SNI and for the certificate check.
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        target = _target(request.url)
        host_params.update(host=_vetted_address(target, self.policy), port=target.port)
        if target.scheme == "https":
            pool_kwargs["server_hostname"] = target.hostname
        return host_params, pool_kwargs

    def add_headers(self, request, **kwargs) -> None:
        request.headers["Host"] = _target(request.url).host_header

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        _target(request.url)  # scheme, credentials and host, before anything else
        with _deadline(self.policy.deadline) as deadline:
            response = super().send(request, stream=True, timeout=self._timeout(timeout), verify=verify,
                                    cert=cert, proxies=None)
            # The answer now owns the socket (the connection lets go of it when the server will close it).
            deadline.watch(response.raw.shutdown)
            try:
                _refuse_redirect(response)
                response._content = _read_body(response, self.policy.max_bytes)
            except BaseException:
                response.close()
                raise
        return response

    def _timeout(self, given) -> Timeout:
        connect, read = _caller_timeouts(given)
        policy = self.policy
        return Timeout(connect=_shortest(policy.connect_timeout, policy.deadline, connect),
                       read=_shortest(policy.read_timeout, policy.deadline, read))


def _caller_timeouts(given) -> tuple[object, object]:
    if isinstance(given, Timeout):
        return given.connect_timeout, given.read_timeout
    if isinstance(given, tuple | list):
        return (given[0], given[1]) if len(given) == 2 else (None, None)
    return given, given


def _shortest(*candidates: object) -> float:
    return min(c for c in candidates if isinstance(c, int | float) and not isinstance(c, bool) and c > 0)


def _refuse_redirect(response: requests.Response) -> None:
    # 304 Not Modified answers a conditional request; it sends the client nowhere.
    if 300 <= response.status_code < 400 and response.status_code != 304:
        location = response.headers.get("Location", "")
        raise OutboundRefused("redirect", f"the server answered {response.status_code}, a redirect to "
                                          f"{location[:200]!r}; redirects are not followed", response=response)


def _read_body(response: requests.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise OutboundRefused("too-large", f"the answer announces {declared} bytes; at most {max_bytes} are read",
                              response=response)
    body = bytearray()
    try:
        for chunk in response.iter_content(CHUNK_SIZE):
            body += chunk
            if len(body) > max_bytes:
                raise OutboundRefused("too-large", f"the answer is longer than {max_bytes} bytes", response=response)
    except requests.exceptions.ConnectionError as error:
        if error.args and isinstance(error.args[0], ReadTimeoutError):  # iter_content's name for a read timeout
            raise OutboundRefused("timeout", "the answer stopped coming", response=response) from error
        raise
    return bytes(body)


# --- the deadline -------------------------------------------------------------------------------------

_current_deadline: ContextVar[_Deadline | None] = ContextVar("outbound_deadline", default=None)


class _Deadline:
    """Cuts the connection of one request when its time is up. Socket timeouts bound each read only:
    a server that sends a byte now and then would hold a worker for ever."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._cut: Callable[[], None] | None = None
        self._stopped = False
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, cut: Callable[[], None]) -> None:
        """Call ``cut`` (from another thread) to end the request when its time is up."""
        with self._lock:
            self._cut = cut
            expired = self.expired
        if expired:  # it ran out while the request changed hands
            _call_quietly(cut)

    def _expire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self.expired = True
            cut = self._cut
        if cut is not None:
            _call_quietly(cut)

    def stop(self) -> bool:
        """Stop watching; whether the time ran out."""
        self._timer.cancel()
        with self._lock:
            self._stopped = True
            return self.expired


def _call_quietly(cut: Callable[[], None]) -> None:
    try:
        cut()
    except (OSError, ValueError, RuntimeError):
        pass  # already closed, or back in its pool: nothing left to cut


def _shut_down(connection) -> None:
    """End the connection's socket, if it has one yet. A read blocked on it in another thread sees the
    end of the stream. The plain socket's shutdown, also under TLS, leaves the TLS state alone."""
    sock = connection.sock
    if sock is not None:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


@contextmanager
def _deadline(seconds: float) -> Iterator[_Deadline]:
    deadline = _Deadline(seconds)
    token = _current_deadline.set(deadline)
    try:
        yield deadline
    except OutboundRefused:
        raise
    except requests.exceptions.Timeout as error:
        raise OutboundRefused("timeout", f"no answer in time: {error}") from error
    except requests.exceptions.RequestException as error:
        if deadline.expired:  # the connection was cut at the deadline
            raise OutboundRefused("timeout", f"no complete answer within {seconds} s") from error
        raise
    finally:
        _current_deadline.reset(token)
        expired = deadline.stop()
    if expired:
        raise OutboundRefused("timeout", f"no complete answer within {seconds} s")


class _WatchedPool:
    """A connection pool that hands each connection it lends to the current request's deadline."""

    def _get_conn(self, timeout=None):
        connection = super()._get_conn(timeout)
        deadline = _current_deadline.get()
        if deadline is not None:
            deadline.watch(functools.partial(_shut_down, connection))
        return connection


class _WatchedHTTPPool(_WatchedPool, HTTPConnectionPool):
    pass


class _WatchedHTTPSPool(_WatchedPool, HTTPSConnectionPool):
    pass
