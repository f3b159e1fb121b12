"""Who is calling: the client's address, believing ``X-Forwarded-For`` only from proxies we were told of.

``HAILONG_TRUSTED_PROXIES`` lists the reverse proxies in front of hailong (addresses or networks, comma
separated, e.g. ``127.0.0.1, 10.0.0.0/24``). A request whose peer is one of them is from the right-most
``X-Forwarded-For`` entry that is not a trusted proxy; any other request is from its peer, whatever
headers it sends. Empty (the default): no header is believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def parse_proxies(text: str) -> tuple[Network, ...]:
    """The networks in a ``HAILONG_TRUSTED_PROXIES`` value; ValueError naming a bad entry."""
    found = []
    for part in text.replace(";", ",").split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(found)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in net for net in proxies)


def client_address(peer: str | None, headers: Iterable[tuple[bytes, bytes]], proxies: Sequence[Network]) -> str:
    """The calling client's address, normalised (IPv6 exploded), or "unknown"."""
    found = _address(peer or "")
    if found is None:
        return "unknown"
    if _trusted(found, proxies):
        forwarded = [v.decode("latin-1") for name, v in headers if name == b"x-forwarded-for"]
        hops = [h for value in forwarded for h in value.split(",")]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break  # a garbled hop: stop believing the chain here
            found = address
            if not _trusted(address, proxies):
                break
    return found.exploded if found.version == 6 else str(found)


def network_of(client: str) -> str:
    """The prefix shared by a client's neighbours, for LIKE: IPv4 /24 ("10.1.2."), IPv6 /48 (three groups)."""
    if ":" in client:
        return ":".join(client.split(":")[:3]) + ":"
    if client.count(".") == 3:
        return client.rsplit(".", 1)[0] + "."
    return client


def request_client(connection: Any) -> str:
    """The client's address of a Litestar request or connection, under ``HAILONG_TRUSTED_PROXIES``."""
    scope = connection.scope
    peer = (scope.get("client") or ("", 0))[0]
    return client_address(peer, scope["headers"], parse_proxies(connection.app.state.settings.trusted_proxies))
