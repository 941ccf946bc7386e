"""Where outgoing webhooks and chat posts may connect: public addresses only, unless the
operator allowlists more (`OPENONCALL_WEBHOOK_ALLOWLIST`). The guard against SSRF, since an
org admin chooses these URLs.

The check happens when the connection is made, after DNS resolution: every address the name
resolves to must be allowed, and the connection then goes to one of those checked addresses
(not to the name again), so a DNS answer that changes between check and connect (rebinding)
cannot slip through. TLS still verifies the certificate against the URL's host name, because
httpcore starts TLS with the origin's name as SNI on the stream we return.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# host, port → the addresses to try, in order (a seam: tests map names without DNS).
Resolver = Callable[[str, int], Awaitable[list[str]]]


class EgressRefused(Exception):
    """The destination resolves to an address outgoing calls may not reach."""


def _unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped or NAT64/6to4 IPv6 address, else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in ipaddress.IPv6Network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not loopback, link-local (cloud metadata at 169.254.169.254
    and fd00:ec2::254), private, CGNAT (100.64/10, Alibaba's metadata at 100.100.100.200),
    multicast, unspecified or reserved."""
    inner = _unwrap(address)
    return inner.is_global and not inner.is_multicast


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    """Public addresses, plus the allowlisted networks and host names."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, text: str | None) -> EgressPolicy:
        """`127.0.0.0/8,10.1.0.0/16,hooks.internal`; ValueError names a bad entry."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for raw in (text or "").split(","):
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            name = entry.lower().rstrip(".")
            if not name or any(not part or part.startswith("-") for part in name.split(".")):
                raise ValueError(f"webhook allowlist entry is not a CIDR or host name: {entry!r}")
            hosts.add(name)
        return cls(tuple(networks), frozenset(hosts))

    def allows(self, host: str, address: IPAddress) -> bool:
        if host.lower().rstrip(".") in self.hosts:
            return True
        if any(_unwrap(address) in net or address in net for net in self.networks):
            return True
        return is_public(address)


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for *_, sockaddr in infos:
        if str(sockaddr[0]) not in addresses:
            addresses.append(str(sockaddr[0]))
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the policy applied between resolution and connect."""

    def __init__(
        self,
        policy: EgressPolicy,
        resolver: Resolver = system_resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}")
        for text in addresses:
            if not self._policy.allows(host, ipaddress.ip_address(text.split("%")[0])):
                raise EgressRefused(
                    f"{host} resolves to {text}, which is not a public address "
                    "(OPENONCALL_WEBHOOK_ALLOWLIST may allow it)"
                )
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for text in addresses:
            try:
                return await self._inner.connect_tcp(
                    text, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def shared_ssl_context(*, trust_env: bool) -> ssl.SSLContext:
    """httpx's verifying TLS context, built once per process and shared by every client:
    loading the CA bundle takes tens of milliseconds, and httpx advises reusing one context."""
    return httpx.create_ssl_context(trust_env=trust_env)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport whose connection pool connects through GuardedBackend."""

    def __init__(self, backend: GuardedBackend) -> None:
        # trust_env=False: an environment proxy would connect on our behalf, unchecked.
        context = shared_ssl_context(trust_env=False)
        super().__init__(verify=context, trust_env=False)
        # httpx builds its httpcore pool without a network-backend argument; rebuild it with
        # ours (the same defaults httpx uses).
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=5.0,
            network_backend=backend,
        )
