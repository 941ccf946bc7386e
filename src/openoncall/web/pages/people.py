"""People: users (with set-password links), each user's profile (contact methods, personal
paging policy, calendar feed, teams), and teams with their members and admins.

Global admins manage users, roles and teams; team admins their teams' members and those
members' profiles; everyone their own contact methods and feed (`auth.permissions`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from openoncall.auth.actors import for_user
from openoncall.auth.deps import ContainerDep, DbSession, Now
from openoncall.auth.permissions import ROLE_NAMES, Action, Target
from openoncall.calendar import service as calendar
from openoncall.contacts import service as contacts
from openoncall.contacts.models import ContactKind
from openoncall.errors import Forbidden, InvalidInput
from openoncall.invitations.service import (
    DEFAULT_EXPIRATION_HOURS,
    check_expiration_hours,
    invitation_path,
    mint_invitation,
    queue_invitation_email,
)
from openoncall.notify.trial import send_trial, summary, trial_targets
from openoncall.paging_policies.service import RuleInput, add_step, delete_rule, policy_steps
from openoncall.paging_policies.types import TIMEOUT_MINUTES
from openoncall.teams import service as teams
from openoncall.users import service as users
from openoncall.users.models import Role, User
from openoncall.web.deps import ViewerDep, redirect, render, require_may, web_router
from openoncall.web.signin import Viewer

router = web_router()


def _may_edit(session: DbSession, viewer: Viewer, user: User) -> None:
    require_may(viewer, Action.EDIT_PROFILE, for_user(session, user))


def _team_target(session: DbSession, viewer: Viewer, slug: str) -> Target:
    return Target(teams=frozenset({teams.get_team(session, viewer.org.id, slug).id}))


@router.get("/people")
def people(request: Request, session: DbSession, viewer: ViewerDep) -> Response:
    return render(
        request,
        "people.html",
        {
            "users": users.list_users(session, viewer.org.id),
            "default_hours": 24,
            "role_names": ROLE_NAMES,
        },
        viewer=viewer,
    )


@router.post("/people")
def create_person(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    container: ContainerDep,
    now: Now,
    username: Annotated[str, Form()],
    first_name: Annotated[str, Form()],
    last_name: Annotated[str, Form()],
    email: Annotated[str, Form()],
    admin: Annotated[bool, Form()] = False,
    role: Annotated[Role | None, Form()] = None,
    expiration_hours: Annotated[float, Form()] = DEFAULT_EXPIRATION_HOURS,
) -> Response:
    """A new user and their set-password link: emailed when SMTP is configured, else shown
    here once (only its hash is stored)."""
    require_may(viewer, Action.MANAGE_USERS)
    hours = check_expiration_hours(expiration_hours)
    user = users.create_user(
        session,
        viewer.org.id,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        # `admin` is the older form's checkbox; the role select replaced it.
        role=role or (Role.GLOBAL_ADMIN if admin else Role.USER),
        now=now,
    )
    if container.settings.smtp_url is not None:
        queue_invitation_email(session, viewer.org.id, user.id, expiration_hours=hours, now=now)
        return redirect(
            request,
            f"/people/{user.username}",
            f"{user.username} added; a set-password email is on its way to {user.email}.",
        )
    token = mint_invitation(session, viewer.org.id, user.id, expiration_hours=hours, now=now)
    return _profile(request, session, viewer, user, invite_token=token, status_code=201)


def _profile(
    request: Request,
    session: DbSession,
    viewer: Viewer,
    user: User,
    *,
    invite_token: str | None = None,
    feed_path: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "profile.html",
        {
            "person": user,
            "teams": teams.list_user_teams(session, viewer.org.id, user.username),
            "contacts": contacts.list_contacts(session, viewer.org.id, user),
            "steps": policy_steps(session, viewer.org.id, user),
            "timeouts": TIMEOUT_MINUTES,
            "invite_path": invitation_path(invite_token) if invite_token else None,
            "feed_path": feed_path,
            "may_edit": viewer.may(Action.EDIT_PROFILE, for_user(session, user)),
            "roles": list(Role) if viewer.may(Action.MANAGE_ROLES) else [],
            "role_names": ROLE_NAMES,
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.get("/people/{username}")
def profile(request: Request, session: DbSession, viewer: ViewerDep, username: str) -> Response:
    user = users.get_user(session, viewer.org.id, username, field="username")
    return _profile(request, session, viewer, user)


@router.post("/people/{username}/invite")
def invite(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    username: str,
    expiration_hours: Annotated[float, Form()] = DEFAULT_EXPIRATION_HOURS,
) -> Response:
    require_may(viewer, Action.MANAGE_USERS)
    user = users.get_user(session, viewer.org.id, username, field="username")
    token = mint_invitation(
        session, viewer.org.id, user.id, expiration_hours=expiration_hours, now=now
    )
    return _profile(request, session, viewer, user, invite_token=token)


@router.post("/people/{username}/role")
def set_role(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    username: str,
    role: Annotated[Role, Form()],
) -> Response:
    user = users.set_role(
        session,
        viewer.org.id,
        username,
        role,
        by=viewer.actor,
        actor=viewer.user.username,
        now=now,
    )
    return redirect(
        request, f"/people/{user.username}", f"{user.username} is now {ROLE_NAMES[role]}."
    )


@router.post("/people/{username}/contacts")
def add_contact(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    username: str,
    kind: Annotated[str, Form()],
    label: Annotated[str, Form()],
    value: Annotated[str, Form()],
) -> Response:
    user = users.get_user(session, viewer.org.id, username, field="username")
    _may_edit(session, viewer, user)
    if kind == ContactKind.EMAIL:
        contacts.add_email(session, viewer.org.id, user, label=label, email=value, now=now)
    elif kind == ContactKind.PHONE:
        contacts.add_phone(session, viewer.org.id, user, label=label, phone=value, now=now)
    else:
        raise InvalidInput("Choose email or phone", field="kind")
    return redirect(request, f"/people/{user.username}", f"Contact {label} added.")


@router.post("/people/{username}/test-page")
def test_page(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    container: ContainerDep,
    username: str,
) -> Response:
    """Send the viewer a test page on each of their contact methods, and say how it went."""
    user = users.get_user(session, viewer.org.id, username, field="username")
    if user.id != viewer.user.id:
        raise Forbidden("A test page goes to yourself only")
    targets = trial_targets(session, viewer.org.id, user.username)
    if not targets:
        raise InvalidInput("Add a contact method first", field="username")
    results = send_trial(targets, settings=container.settings, channels=container.channels)
    return redirect(request, f"/people/{user.username}", f"Test page: {summary(results)}.")


@router.post("/people/{username}/contacts/{kind}/{ext_id}/delete")
def delete_contact(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    username: str,
    kind: str,
    ext_id: str,
) -> Response:
    user = users.get_user(session, viewer.org.id, username, field="username")
    _may_edit(session, viewer, user)
    try:
        contact_kind = ContactKind(kind)
    except ValueError as exc:
        raise InvalidInput(f"Unknown contact kind {kind}", field="kind") from exc
    contacts.delete_contact(session, viewer.org.id, user, contact_kind, ext_id)
    return redirect(request, f"/people/{user.username}", "Contact method removed.")


@router.post("/people/{username}/paging")
def add_paging_step(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    username: str,
    how: Annotated[str, Form()],
    timeout: Annotated[int, Form()] = 5,
) -> Response:
    """Append a personal paging step: `how` is `push`, or `<email|sms|phone>:<contact id>`."""
    user = users.get_user(session, viewer.org.id, username, field="username")
    _may_edit(session, viewer, user)
    kind, _, contact = how.partition(":")
    if contact and not contact.isdigit():
        raise InvalidInput("Choose how to be paged", field="how")
    rule = RuleInput(notification_type=kind, contact_id=int(contact) if contact else None)
    add_step(session, viewer.org.id, user, timeout=timeout, rules=[rule])
    return redirect(request, f"/people/{user.username}", "Paging step added.")


@router.post("/people/{username}/paging/{step}/{rule}/delete")
def delete_paging_rule(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    username: str,
    step: int,
    rule: int,
) -> Response:
    user = users.get_user(session, viewer.org.id, username, field="username")
    _may_edit(session, viewer, user)
    delete_rule(session, viewer.org.id, user, step, rule)
    return redirect(request, f"/people/{user.username}", "Paging rule removed.")


@router.post("/people/{username}/calendar")
def calendar_feed(
    request: Request, *, session: DbSession, viewer: ViewerDep, now: Now, username: str
) -> Response:
    """Create or rotate the user's calendar feed; the URL is shown once (tokens are hashed)."""
    user = users.get_user(session, viewer.org.id, username, field="username")
    _may_edit(session, viewer, user)
    feed = calendar.issue_feed(
        session, viewer.org.id, username=user.username, actor=viewer.user.username, now=now
    )
    return _profile(request, session, viewer, user, feed_path=feed.path)


@router.get("/teams")
def teams_page(request: Request, session: DbSession, viewer: ViewerDep) -> Response:
    return render(
        request,
        "teams.html",
        {
            "teams": teams.list_teams(session, viewer.org.id),
            "counts": teams.member_counts(session, viewer.org.id),
        },
        viewer=viewer,
    )


@router.post("/teams")
def create_team(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    name: Annotated[str, Form()],
) -> Response:
    require_may(viewer, Action.MANAGE_TEAMS)
    team = teams.create_team(session, viewer.org.id, name=name, now=now)
    return redirect(request, f"/teams/{team.slug}", f"Team {team.name} created.")


@router.get("/teams/{slug}")
def team_page(request: Request, session: DbSession, viewer: ViewerDep, slug: str) -> Response:
    return _team_page(request, session, viewer, slug)


@router.post("/teams/{slug}/calendar")
def team_calendar(
    request: Request, *, session: DbSession, viewer: ViewerDep, now: Now, slug: str
) -> Response:
    """Create or rotate the team's calendar feed (members and admins); the URL shows once."""
    members = teams.list_members(session, viewer.org.id, slug)
    if not viewer.is_admin and all(user.id != viewer.user.id for _m, user in members):
        raise Forbidden("Only the team's members and admins can get its calendar feed")
    feed = calendar.issue_feed(
        session, viewer.org.id, team_slug=slug, actor=viewer.user.username, now=now
    )
    return _team_page(request, session, viewer, slug, feed_path=feed.path)


def _team_page(
    request: Request, session: DbSession, viewer: Viewer, slug: str, feed_path: str | None = None
) -> Response:
    team = teams.get_team(session, viewer.org.id, slug)
    members = teams.list_members(session, viewer.org.id, slug)
    member_ids = {user.id for _m, user in members}
    return render(
        request,
        "team.html",
        {
            "team": team,
            "members": members,
            "others": [
                u for u in users.list_users(session, viewer.org.id) if u.id not in member_ids
            ],
            "feed_path": feed_path,
            "may_manage": viewer.may(Action.MANAGE_TEAM, Target(teams=frozenset({team.id}))),
        },
        viewer=viewer,
    )


@router.post("/teams/{slug}/members")
def add_member(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    slug: str,
    username: Annotated[str, Form()],
    admin: Annotated[bool, Form()] = False,
) -> Response:
    require_may(viewer, Action.MANAGE_TEAM, _team_target(session, viewer, slug))
    teams.add_member(session, viewer.org.id, slug, username, is_admin=admin)
    return redirect(request, f"/teams/{slug}", f"{username} joined the team.")


@router.post("/teams/{slug}/members/{username}/admin")
def set_admin(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    slug: str,
    username: str,
    admin: Annotated[bool, Form()] = False,
) -> Response:
    require_may(viewer, Action.MANAGE_TEAM, _team_target(session, viewer, slug))
    teams.set_team_admin(session, viewer.org.id, slug, username, is_admin=admin)
    what = "is now a team admin" if admin else "is no longer a team admin"
    return redirect(request, f"/teams/{slug}", f"{username} {what}.")


@router.post("/teams/{slug}/members/{username}/remove")
def remove_member(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    slug: str,
    username: str,
    replacement: Annotated[str, Form()] = "",
) -> Response:
    require_may(viewer, Action.MANAGE_TEAM, _team_target(session, viewer, slug))
    teams.remove_member(session, viewer.org.id, slug, username, replacement=replacement or None)
    return redirect(request, f"/teams/{slug}", f"{username} left the team.")
