"""SSRF guard of outgoing webhooks and chat posts: only public addresses, unless allowlisted,
checked after DNS resolution and connected to the checked address.

No test here sends traffic anywhere but loopback: names resolve through a seam, the
connect step is a counting wrapper, and refused addresses must never reach it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import httpcore
import pytest

from openoncall.notify.channel import Channel, DeliveryResult, Medium
from openoncall.notify.chat import ChatChannel
from openoncall.notify.egress import EgressPolicy, GuardedBackend, is_public
from openoncall.notify.registry import build_channels
from openoncall.notify.webhook import WebhookChannel
from openoncall.settings import Settings
from tests.notify.sinks import http_server
from tests.notify.test_http_channels import note, send_all


class CountingConnect(httpcore.AsyncNetworkBackend):
    """The real connect step, counting every attempt and where it went."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.hosts: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        assert ipaddress.ip_address(host).is_loopback, f"test tried to reach {host}"
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


NAMES = {
    "metadata.internal": ["169.254.169.254"],
    "intranet.example": ["10.0.0.1"],
    # Half public, half loopback: one bad address is enough to refuse.
    "rebind.example": ["93.184.216.34", "127.0.0.1"],
    "hooks.test": ["127.0.0.1"],
}


async def resolve(host: str, port: int) -> list[str]:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return list(NAMES[host])
    return [host]


def guard(allowlist: str | None = None) -> tuple[GuardedBackend, CountingConnect]:
    connect = CountingConnect()
    return GuardedBackend(EgressPolicy.parse(allowlist), resolve, connect), connect


REFUSED_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.internal/computeMetadata/v1/",
    "http://10.0.0.1/hook",
    "http://intranet.example/hook",
    "http://rebind.example/hook",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://100.100.100.200/",
    "http://224.0.0.1/",
    "http://0.0.0.0/",
    "http://127.0.0.1:9/",
    "https://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[64:ff9b::a00:1]/",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
@pytest.mark.parametrize("medium", [Medium.WEBHOOK, Medium.CHAT])
def test_private_and_metadata_addresses_are_refused_without_connecting(
    url: str, medium: Medium
) -> None:
    backend, connect = guard()
    channel: Channel = (
        WebhookChannel(egress=backend) if medium == Medium.WEBHOOK else ChatChannel(egress=backend)
    )
    [result] = send_all(channel, note(medium, url))
    assert not result.ok
    assert not result.retryable
    assert result.detail.startswith("refused: ")
    assert "which is not a public address" in result.detail
    assert connect.hosts == []


def test_allowlisted_network_is_reached_at_the_checked_address() -> None:
    backend, connect = guard("127.0.0.0/8")
    with http_server() as sink:
        url = f"http://hooks.test:{sink.port}/hook"
        [result] = send_all(WebhookChannel(egress=backend), note(Medium.WEBHOOK, url))
    assert result == DeliveryResult(True, "HTTP 200")
    # The connection went to the address that was checked, not to the name again.
    assert connect.hosts == ["127.0.0.1"]
    [request] = sink.requests
    assert request.headers["host"] == f"hooks.test:{sink.port}"


def test_allowlisted_host_name_is_reached() -> None:
    backend, connect = guard("10.1.0.0/16, Hooks.Test")
    with http_server() as sink:
        [result] = send_all(
            WebhookChannel(egress=backend), note(Medium.WEBHOOK, f"http://hooks.test:{sink.port}/")
        )
        [other] = send_all(
            WebhookChannel(egress=backend), note(Medium.WEBHOOK, f"http://127.0.0.1:{sink.port}/")
        )
    assert result.ok
    assert other.detail.startswith("refused: 127.0.0.1 resolves to 127.0.0.1")
    assert connect.hosts == ["127.0.0.1"]
    assert len(sink.requests) == 1


def test_failed_webhook_shows_the_status_never_the_response_body() -> None:
    backend, _ = guard("127.0.0.0/8")
    with http_server() as sink:
        sink.replies = [(500, b"internal admin page: db password=hunter2")]
        [result] = send_all(WebhookChannel(egress=backend), note(Medium.WEBHOOK, sink.url))
    assert result == DeliveryResult(False, "HTTP 500", retryable=True)


def test_default_channels_refuse_a_loopback_sink_and_the_setting_allows_it() -> None:
    with http_server() as sink:
        [refused] = send_all(
            build_channels(Settings())[Medium.WEBHOOK], note(Medium.WEBHOOK, sink.url)
        )
        assert sink.requests == []
        allowed = build_channels(Settings(webhook_allowlist="127.0.0.0/8"))[Medium.WEBHOOK]
        [sent] = send_all(allowed, note(Medium.WEBHOOK, sink.url))
    assert refused.detail.startswith("refused: ")
    assert sent.ok
    assert len(sink.requests) == 1


def test_a_malformed_allowlist_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match=r"not a CIDR or host name: 'bad\.\.name'"):
        build_channels(Settings(webhook_allowlist="127.0.0.0/8,bad..name"))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("8.8.8.8", True),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("198.18.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("ff02::1", False),
        ("::", False),
        ("2002:a00:1::", False),  # 6to4 around 10.0.0.1
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public
