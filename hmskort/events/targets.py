"""Where webhooks may be sent: no requests to internal addresses (SSRF).

A subscriber URL is typed by a main contractor in the portal, so the server must
not be made to POST to itself or its neighbours (`http://127.0.0.1:6379`, the
cloud metadata service at `http://169.254.169.254/`, a database on 10.x ...).

- `webhook_url_check` (at registration: the portal form, `subscriber_create`,
  the admin): `https://` only in production, `http://` or `https://` elsewhere;
  the host must be a name (not an IP address) that resolves only to public
  addresses.
- `webhook_target_check` (before every delivery): the host is resolved again and
  a private answer is refused (a name can be pointed elsewhere after it was
  registered), and `guarded_session` checks the address actually connected to,
  so a name that resolves to a public address for the check and to a private one
  for the connection (DNS rebinding) is refused too. Through an egress proxy
  (`HTTPS_PROXY`) the proxy is what is connected to, and the proxy's own rules apply.

`HMSKORT_WEBHOOK_ALLOW_PRIVATE` (default: true outside production, false in
production) switches the address rules off, for receivers on loopback in tests
and demos; the scheme rule stays.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class WebhookUrlRefused(Exception):
    """The URL may not be used for webhooks; `message` says why (bokmål, then English)."""

    def __init__(self, message: str, *, code: str, address: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.address = address


#: `code` of a host name that does not resolve: at registration a refusal, at
#: delivery a temporary failure (retried like a refused connection).
UNRESOLVED = "webhook_host_unresolved"


def _production() -> bool:
    return getattr(settings, "HMSKORT_ENVIRONMENT", "development") == "production"


def private_targets_allowed() -> bool:
    """`HMSKORT_WEBHOOK_ALLOW_PRIVATE`; by default true except in production."""
    return bool(getattr(settings, "HMSKORT_WEBHOOK_ALLOW_PRIVATE", not _production()))


def is_internal(ip: IPAddress) -> bool:
    """True for every address a webhook may not go to: loopback, private,
    link-local, carrier-grade NAT, multicast, reserved, unspecified, and IPv6
    forms that wrap such an IPv4 address (mapped, 6to4, Teredo, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        wrapped = [ip.ipv4_mapped, ip.sixtofour]
        if ip.teredo is not None:
            wrapped.append(ip.teredo[1])
        if ip in _NAT64:
            wrapped.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(inner is not None and is_internal(inner) for inner in wrapped):
            return True
    return (
        not ip.is_global
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return None


def _split(url: str):
    """(scheme, host, port) of the URL; refuses a scheme that is not allowed here."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        parts, port = None, None
    scheme = parts.scheme.lower() if parts is not None else ""
    allowed = ("https",) if _production() else ("https", "http")
    if scheme not in allowed:
        raise WebhookUrlRefused(
            "Adressen må begynne med https:// (the URL must start with https://)."
            if _production()
            else "Adressen må begynne med https:// eller http:// "
            "(the URL must start with https:// or http://).",
            code="webhook_url_scheme",
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise WebhookUrlRefused(
            "Adressen mangler et vertsnavn (the URL has no host name).", code="webhook_url_host"
        )
    return scheme, host, port or (443 if scheme == "https" else 80)


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        infos = []
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise WebhookUrlRefused(
            f"Fant ikke vertsnavnet «{host}». Kontroller adressen. "
            f"(The host name «{host}» does not resolve.)",
            code=UNRESOLVED,
        )
    return addresses


def _internal(host: str, address: str) -> WebhookUrlRefused:
    where = f"«{host}»" if host == address else f"«{host}» ({address})"
    return WebhookUrlRefused(
        f"Adressen {where} er en intern adresse. Webhooks kan bare sendes til "
        f"offentlige adresser på internett. (The URL points to an internal address, "
        f"{address}: refused.)",
        code="webhook_url_internal",
        address=address,
    )


def _check_addresses(host: str, port: int) -> None:
    for address in _resolve(host, port):
        ip = _ip(address)
        if ip is None or is_internal(ip):
            raise _internal(host, address)


def webhook_url_check(url: str) -> None:
    """Raise `WebhookUrlRefused` unless `url` may be registered as a webhook
    receiver (see the module docstring). Looks the host name up in DNS."""
    _scheme, host, port = _split(url)
    if private_targets_allowed():
        return
    literal = _ip(host)
    if literal is not None and is_internal(literal):
        raise _internal(host, host)
    if literal is not None:
        raise WebhookUrlRefused(
            "Bruk et domenenavn, ikke en IP-adresse, i mottaksadressen "
            "(use a host name, not an IP address).",
            code="webhook_url_ip_literal",
            address=host,
        )
    _check_addresses(host, port)


def webhook_target_check(url: str) -> None:
    """Before a delivery: the same rules, with the host looked up again now."""
    webhook_url_check(url)


# --- the connection itself (DNS rebinding) ----------------------------------------------


class _PeerCheck:
    """Refuse the connection when the address actually connected to is internal."""

    def _new_conn(self):
        sock = super()._new_conn()
        try:
            peer = sock.getpeername()[0]
        except OSError:
            peer = ""
        ip = _ip(peer)
        if ip is None or is_internal(ip):
            sock.close()
            raise NewConnectionError(
                self,
                f"Refused: {self.host} connected to the internal address {peer or '?'} "
                "(webhooks go only to public addresses)",
            )
        return sock


class _GuardedHTTPConnection(_PeerCheck, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_PeerCheck, HTTPSConnection):
    pass


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }


def guarded_session() -> requests.Session:
    """A requests session that refuses to connect to an internal address
    (unless `private_targets_allowed()`)."""
    session = requests.Session()
    if not private_targets_allowed():
        adapter = _GuardedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session
