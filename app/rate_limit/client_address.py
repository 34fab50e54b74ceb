"""The client address a public link is limited by: the peer's, or, when the peer is a trusted
proxy, the nearest address in X-Forwarded-For that is not one. IPv6 clients are counted by
their /64, the block one subscriber usually holds, so that rotating through it gains nothing."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 192.168.1.7` → networks; raises ValueError on a bad entry."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


def client_address(request: HTTPConnection, trusted_proxies: Sequence[Network]) -> str:
    peer = request.client.host if request.client else ""
    if trusted_proxies and _within(peer, trusted_proxies):
        forwarded = [
            hop.strip()
            for header in request.headers.getlist("x-forwarded-for")
            for hop in header.split(",")
        ]
        # Walk from the nearest hop: the first address a trusted proxy did not add is the
        # client; anything further left could have been written by the client itself.
        for hop in reversed(forwarded):
            if not _within(hop, trusted_proxies):
                return _bucket_of(hop)
    return _bucket_of(peer)


def _within(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _bucket_of(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
