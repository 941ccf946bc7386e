"""`openoncall users set-role`: change a user's global role from the server's shell (a
command of the `users` group in `openoncall.resource_commands`)."""

from __future__ import annotations

from typing import Annotated

import typer

from openoncall.command_line import OrgOption, command_container, console, fail
from openoncall.errors import OnCallError
from openoncall.orgs import service as orgs
from openoncall.users.roles import Role
from openoncall.users.service import set_role


def set_role_command(
    username: Annotated[str, typer.Argument(help="Whose role to change.")],
    role: Annotated[Role, typer.Argument(help="The new global role (docs/roles.md).")],
    org: OrgOption = None,
) -> None:
    """Give a user another global role; the organization always keeps a global admin."""
    with command_container() as container:
        try:
            with container.sessions.transaction() as session:
                org_row = orgs.get_org(session, org)
                # The shell is the operator's: like the CLI's API keys, it acts for the org.
                user = set_role(
                    session,
                    org_row.id,
                    username,
                    role,
                    by=None,
                    actor="cli",
                    now=container.clock.now(),
                )
                name = user.username
        except OnCallError as exc:
            raise fail(exc) from exc
    console.print(f"{name} is now {role.value}.")
