"""The table of demo sign-ins, read from the database (so it shows what will actually work)."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password

from thrive.accounts.models import Role, User

from .generator import DEMO_PASSWORD
from .locality import SIGNIN_USERNAMES


def rows() -> list[tuple[str, str, str, str]]:
    """(username, role, agency, password) for each demo sign-in user found."""
    users = {u.username: u for u in User.objects.filter(username__in=SIGNIN_USERNAMES)
             .select_related("agency")}
    # Every demo user shares one hash, so one Argon2 check covers them all; a user whose
    # password was changed since has a different hash and is checked separately.
    still_demo = {}
    for user in users.values():
        if user.password not in still_demo:
            still_demo[user.password] = check_password(DEMO_PASSWORD, user.password)
    result = []
    for username in SIGNIN_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        password = DEMO_PASSWORD if still_demo[user.password] else "(changed)"
        if not user.is_active:
            password = "(inactive)"
        result.append((username, Role(user.role).label,
                       user.agency.name if user.agency else "—", password))
    return result


def table(found: list[tuple[str, ...]]) -> str:
    header = ("Username", "Role", "Agency", "Password")
    widths = [max(len(r[i]) for r in (header, *found)) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*header), line, *(fmt.format(*r) for r in found)])
