"""The client's address behind trusted reverse proxies (plain logic, no Django).

Each proxy appends the address it received the request from to X-Forwarded-For, so with N
trusted proxies in front of the application, the client is the N-th entry from the right: the
entries further left were written by the client itself and can say anything.
"""

import ipaddress


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted_proxies: int) -> str | None:
    """The address to log and to lock out. Without trusted proxies, or when the header is missing,
    short or not an address, the connection's own address stands."""
    if trusted_proxies <= 0 or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if len(hops) < trusted_proxies:
        return remote_addr
    candidate = hops[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
