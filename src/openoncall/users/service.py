"""Use cases for users: create (singly and in batches), read, update, delete with a replacement.

Services never commit. Deleting a user hands what they carried (rotation memberships,
escalation-policy entries, team-admin roles) to a replacement chosen by one of the three
VictorOps strategies, so no schedule or policy silently loses a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openoncall.audit.service import record_audit
from openoncall.auth.passwords import hash_password
from openoncall.auth.permissions import Action, Actor, require
from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.errors import AlreadyExists, InvalidInput, NotFound, OnCallError, Unprocessable
from openoncall.ids import new_slug
from openoncall.list_window import WHOLE, Page
from openoncall.policies.models import EscalationEntry, EscalationPolicy, EscalationStep
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import Role, User, UserColumns

# Usernames appear unencoded in paths (NOTES: `@` must not be sent as %40), so they may hold
# `@`, `.`, `+`, `-` and `_`, but never `/`, whitespace or other characters a path would mangle.
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_BATCH = 50


class ReplacementStrategy:
    """The DeleteUserPayload strategies, by their wire names."""

    SPECIFIED_USER = "specifiedUser"
    GLOBAL_ADMIN = "globalAdmin"
    TEAM_ADMIN = "teamAdmin"


def normalize_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    """The normalized username, or InvalidInput naming `username`."""
    username = normalize_username(username)
    if not username:
        raise InvalidInput("username must not be empty", field="username")
    if not _USERNAME.match(username):
        raise InvalidInput(
            f"Invalid username: {username} (letters, digits and . _ @ + - only, up to 64)",
            field="username",
        )
    return username


def check_email(email: str) -> str:
    email = email.strip()
    if not _EMAIL.match(email) or len(email) > 255:
        raise InvalidInput(f"Invalid email address: {email}", field="email")
    return email


def has_control_chars(value: str) -> bool:
    """Control characters never belong in names; PostgreSQL even refuses NUL in text."""
    return _CONTROL.search(value) is not None


def _check_name(value: str, field_name: str) -> str:
    value = value.strip()
    if has_control_chars(value):
        raise InvalidInput(f"{field_name} must not contain control characters", field=field_name)
    if len(value) > 255:
        raise InvalidInput(f"{field_name} is longer than 255 characters", field=field_name)
    return value


def create_user(
    session: Session,
    org_id: int,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: Role = Role.USER,
    password: str | None = None,
    now: datetime,
) -> User:
    """A new user with the default email contact method (their account address)."""
    username = check_username(username)
    email = check_email(email)
    first_name = _check_name(first_name, "firstName")
    last_name = _check_name(last_name, "lastName")
    if find_user(session, org_id, username) is not None:
        raise AlreadyExists(f"Username {username} is unavailable", field="username")
    user = User(
        org_id=org_id,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        password_hash=hash_password(password) if password else None,
        password_updated_at=now if password else None,
        is_verified=bool(password),
        created_at=now,
    )
    try:
        # A concurrent create of the same username passes the check above; the unique
        # constraint then decides, inside a savepoint so the caller's transaction survives.
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError as exc:
        raise AlreadyExists(f"Username {username} is unavailable", field="username") from exc
    session.add(
        ContactMethod(
            org_id=org_id,
            user_id=user.id,
            kind=ContactKind.EMAIL,
            ext_id=new_slug("email", 10),
            label="Default",
            value=email,
            rank=0,
            is_verified=True,
            settings={},
            created_at=now,
        )
    )
    session.flush()
    return user


@dataclass(frozen=True, slots=True)
class NewUser:
    """One entry of a batch create; a missing field fails that entry alone."""

    username: str | None
    first_name: str | None
    last_name: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class BatchResult:
    username: str
    errors: list[tuple[str, str]] = field(default_factory=list)


def create_users(
    session: Session, org_id: int, entries: list[NewUser], *, now: datetime
) -> list[BatchResult]:
    """Create each entry in its own savepoint: one bad entry fails alone, the rest are kept."""
    if len(entries) > MAX_BATCH:
        raise InvalidInput(f"At most {MAX_BATCH} users per batch", field="body")
    results: list[BatchResult] = []
    for entry in entries:
        name = normalize_username(entry.username or "")
        fields = {
            "username": entry.username,
            "firstName": entry.first_name,
            "lastName": entry.last_name,
            "email": entry.email,
        }
        missing = [f"Missing field: {k}" for k, v in fields.items() if v is None]
        if missing:
            results.append(BatchResult(name, [(InvalidInput.code, m) for m in missing]))
            continue
        try:
            with session.begin_nested():
                create_user(
                    session,
                    org_id,
                    username=name,
                    first_name=entry.first_name or "",
                    last_name=entry.last_name or "",
                    email=entry.email or "",
                    now=now,
                )
        except OnCallError as exc:
            results.append(BatchResult(name, [(exc.code, exc.message)]))
        except IntegrityError:
            # A concurrent create of the same username won the race.
            message = f"Username {name} is unavailable"
            results.append(BatchResult(name, [(AlreadyExists.code, message)]))
        else:
            results.append(BatchResult(name))
    return results


def find_user(session: Session, org_id: int, username: str) -> User | None:
    if "\x00" in username:
        return None  # no username holds NUL, and PostgreSQL would refuse the query
    return session.scalar(
        select(User).where(User.org_id == org_id, User.username == normalize_username(username))
    )


def get_user(session: Session, org_id: int, username: str, *, field: str = "user") -> User:
    user = find_user(session, org_id, username)
    if user is None:
        raise NotFound("User not found", field=field)
    return user


def list_user_columns(
    session: Session, org_id: int, *, email: str | None = None, page: Page = WHOLE
) -> list[UserColumns]:
    """The org's users by username, as the columns `users.schemas.user_wire` takes (one
    column query: loading ORM objects dominated the cost of listing large orgs)."""
    query = select(
        User.username,
        User.first_name,
        User.last_name,
        User.email,
        User.created_at,
        User.password_updated_at,
        User.is_verified,
    ).where(User.org_id == org_id)
    if email is not None:
        if "\x00" in email:
            return []
        query = query.where(User.email == email.strip())
    rows = session.execute(page.applied(query.order_by(User.username)))
    return [cast(UserColumns, tuple(row)) for row in rows]


def list_users(session: Session, org_id: int, *, email: str | None = None) -> list[User]:
    query = select(User).where(User.org_id == org_id)
    if email is not None:
        if "\x00" in email:
            return []
        query = query.where(User.email == email.strip())
    return list(session.scalars(query.order_by(User.username)))


def update_user(
    session: Session,
    org_id: int,
    username: str,
    *,
    new_username: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
) -> User:
    """AddUserPayload on PUT: names, email (and the Default contact with it), and username.
    A field left out (None) keeps its value: clients send partial bodies (the path names the
    user)."""
    user = get_user(session, org_id, username)
    new_username = check_username(user.username if new_username is None else new_username)
    email = check_email(user.email if email is None else email)
    first_name = _check_name(user.first_name if first_name is None else first_name, "firstName")
    last_name = _check_name(user.last_name if last_name is None else last_name, "lastName")
    if new_username != user.username and find_user(session, org_id, new_username) is not None:
        raise AlreadyExists(f"Username {new_username} is unavailable", field="username")
    if email != user.email:
        default = _default_email_contact(session, user)
        if default is not None and default.value == user.email:
            default.value = email
    user.username = new_username
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise AlreadyExists(f"Username {new_username} is unavailable", field="username") from exc
    return user


def _default_email_contact(session: Session, user: User) -> ContactMethod | None:
    """The email contact create_user made: the user's first email contact."""
    return session.scalar(
        select(ContactMethod)
        .where(
            ContactMethod.org_id == user.org_id,
            ContactMethod.user_id == user.id,
            ContactMethod.kind == ContactKind.EMAIL,
        )
        .order_by(ContactMethod.id)
        .limit(1)
    )


def delete_user(
    session: Session,
    org_id: int,
    username: str,
    *,
    replacement: str | None,
    strategy: str = ReplacementStrategy.SPECIFIED_USER,
    actor: str = "api",
    now: datetime,
) -> None:
    """Delete a user; the replacement takes over their rotations, policy entries and roles.

    specifiedUser needs `replacement` when there is something to hand over (a user with no
    rotation slot, policy entry or team-admin role may go without one: the npm client sends
    `{}` by default); globalAdmin picks the organization's first admin; teamAdmin picks, for
    each team involved, an admin of that team, and needs one in every such team.
    """
    user = get_user(session, org_id, username)
    if user.is_admin and not _other_admins(session, org_id, user):
        raise Unprocessable(f"{user.username} is the last admin of the organization", field="user")
    duties = find_duties(session, org_id, user)
    memberships = list(
        session.scalars(
            select(TeamMember).where(TeamMember.org_id == org_id, TeamMember.user_id == user.id)
        )
    )
    team_ids = duties.team_ids | {m.team_id for m in memberships}
    # A given replacement is still checked; only its absence is forgiven.
    nothing_to_hand_over = not (
        duties.members or duties.entries or any(m.is_admin for m in memberships)
    )
    if replacement or strategy != ReplacementStrategy.SPECIFIED_USER or not nothing_to_hand_over:
        pick = _replacement_picker(
            session, org_id, user, replacement=replacement, strategy=strategy, team_ids=team_ids
        )
        hand_over(session, org_id, duties, pick)
        for membership in memberships:
            if membership.is_admin:
                ensure_member(session, org_id, membership.team_id, pick(membership.team_id), True)
        session.flush()
    record_audit(
        session,
        org_id,
        actor=actor,
        action="user.delete",
        subject_type="user",
        subject_id=user.username,
        detail={"replacement": replacement, "replacementStrategy": strategy},
        now=now,
    )
    session.delete(user)
    session.flush()


@dataclass(frozen=True, slots=True)
class Duties:
    """What a user carries in schedules: rotation slots and escalation-policy entries."""

    members: list[tuple[RotationMember, int]]  # (slot, team id of its rotation group)
    entries: list[tuple[EscalationEntry, int]]  # (entry, team id of its policy)

    @property
    def team_ids(self) -> set[int]:
        return {t for _, t in self.members} | {t for _, t in self.entries}


def find_duties(session: Session, org_id: int, user: User, *, team_id: int | None = None) -> Duties:
    """The user's rotation slots and policy entries, in every team or in one."""
    members = (
        select(RotationMember, RotationGroup.team_id)
        .join(RotationShift, RotationShift.id == RotationMember.shift_id)
        .join(RotationGroup, RotationGroup.id == RotationShift.group_id)
        .where(RotationMember.org_id == org_id, RotationMember.user_id == user.id)
        .order_by(RotationMember.id)
    )
    entries = (
        select(EscalationEntry, EscalationPolicy.team_id)
        .join(EscalationStep, EscalationStep.id == EscalationEntry.step_id)
        .join(EscalationPolicy, EscalationPolicy.id == EscalationStep.policy_id)
        .where(EscalationEntry.org_id == org_id, EscalationEntry.user_id == user.id)
        .order_by(EscalationEntry.id)
    )
    if team_id is not None:
        members = members.where(RotationGroup.team_id == team_id)
        entries = entries.where(EscalationPolicy.team_id == team_id)
    return Duties(
        members=[(m, t) for m, t in session.execute(members)],
        entries=[(e, t) for e, t in session.execute(entries)],
    )


def hand_over(session: Session, org_id: int, duties: Duties, pick: Callable[[int], User]) -> None:
    """Give every rotation slot and policy entry to `pick(team_id)`.

    The substitute joins the rotation's team (rotations draw from team members); a shift
    they already belong to keeps one slot for them rather than two.
    """
    for member, team_id in duties.members:
        substitute = pick(team_id)
        ensure_member(session, org_id, team_id, substitute, is_admin=False)
        already = session.scalar(
            select(RotationMember.id).where(
                RotationMember.shift_id == member.shift_id,
                RotationMember.user_id == substitute.id,
            )
        )
        if already is not None:
            session.delete(member)
        else:
            member.user_id = substitute.id
    for entry, team_id in duties.entries:
        entry.user_id = pick(team_id).id
    session.flush()


def set_role(
    session: Session,
    org_id: int,
    username: str,
    role: Role,
    *,
    by: Actor | None,
    actor: str,
    now: datetime,
) -> User:
    """Give a user another global role; the organization always keeps a global admin.

    A stakeholder is read-only, so one loses any team-admin flags (the vendor's stakeholders
    hold no other role)."""
    require(by, Action.MANAGE_ROLES)
    user = get_user(session, org_id, username)
    if user.role == role:
        return user
    if user.is_admin and not _other_admins(session, org_id, user):
        raise Unprocessable(
            f"{user.username} is the last global admin of the organization", field="role"
        )
    before = user.role
    user.role = role
    if role == Role.STAKEHOLDER:
        for membership in session.scalars(
            select(TeamMember).where(TeamMember.org_id == org_id, TeamMember.user_id == user.id)
        ):
            membership.is_admin = False
    session.flush()
    record_audit(
        session,
        org_id,
        actor=actor,
        action="user.role",
        subject_type="user",
        subject_id=user.username,
        detail={"from": before, "to": role.value},
        now=now,
    )
    return user


def _other_admins(session: Session, org_id: int, user: User) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.org_id == org_id, User.role == Role.GLOBAL_ADMIN, User.id != user.id)
            .order_by(User.id)
        )
    )


class _Picker:
    """Maps a team id to the user who takes the deleted user's place in that team."""

    def __init__(self, fixed: User | None, per_team: dict[int, User]) -> None:
        self._fixed = fixed
        self._per_team = per_team

    def __call__(self, team_id: int) -> User:
        if self._fixed is not None:
            return self._fixed
        return self._per_team[team_id]


def _replacement_picker(
    session: Session,
    org_id: int,
    user: User,
    *,
    replacement: str | None,
    strategy: str,
    team_ids: set[int],
) -> _Picker:
    if strategy == ReplacementStrategy.SPECIFIED_USER:
        if not replacement:
            raise Unprocessable("A replacement is required to delete a user", field="replacement")
        chosen = find_user(session, org_id, replacement)
        if chosen is None:
            raise Unprocessable(f"Replacement user {replacement} not found", field="replacement")
        if chosen.id == user.id:
            raise Unprocessable("A user cannot replace themselves", field="replacement")
        return _Picker(chosen, {})
    if strategy == ReplacementStrategy.GLOBAL_ADMIN:
        admins = _other_admins(session, org_id, user)
        if not admins:
            raise Unprocessable(
                "No other global admin can replace this user", field="replacementStrategy"
            )
        return _Picker(admins[0], {})
    if strategy == ReplacementStrategy.TEAM_ADMIN:
        per_team: dict[int, User] = {}
        for team_id in sorted(team_ids):
            admin = session.scalar(
                select(User)
                .join(TeamMember, TeamMember.user_id == User.id)
                .where(
                    TeamMember.org_id == org_id,
                    TeamMember.team_id == team_id,
                    TeamMember.is_admin.is_(True),
                    User.id != user.id,
                )
                .order_by(TeamMember.id)
                .limit(1)
            )
            if admin is None:
                team_name = session.scalar(select(Team.name).where(Team.id == team_id))
                raise Unprocessable(
                    f"Team {team_name} has no admin other than {user.username}",
                    field="replacementStrategy",
                )
            per_team[team_id] = admin
        return _Picker(None, per_team)
    raise InvalidInput(f"Unknown replacementStrategy: {strategy}", field="replacementStrategy")


def ensure_member(session: Session, org_id: int, team_id: int, user: User, is_admin: bool) -> None:
    """Make `user` a member of the team (an admin too when asked); never demotes."""
    row = session.scalar(
        select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id == user.id)
    )
    if row is None:
        session.add(TeamMember(org_id=org_id, team_id=team_id, user_id=user.id, is_admin=is_admin))
        session.flush()
    elif is_admin and not row.is_admin:
        row.is_admin = True
        row.version += 1
