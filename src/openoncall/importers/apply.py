"""Apply a neutral Source to an organization here, object by object, each in its own
transaction with the row that remembers it: a run killed part-way leaves every object either
made and remembered or not made at all, and the next run goes on from there.

A second run finds each object by its source id: unchanged content is skipped, changed users
and teams are updated in place. Rotations and escalation policies cannot be edited in place
here (a change is a delete and a create), so a changed one is reported, not replaced.
`dry_run` decides everything the same way and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.clock import Clock
from openoncall.contacts import service as contacts
from openoncall.db.session import Sessions
from openoncall.errors import OnCallError
from openoncall.importers import neutral as n
from openoncall.importers.models import ImportedObject
from openoncall.invitations.service import queue_invitation_email
from openoncall.overrides import service as overrides
from openoncall.paging_policies import service as paging
from openoncall.policies import service as policies
from openoncall.policies.models import ExecutionType
from openoncall.rotations import service as rotations
from openoncall.routing import service as routing
from openoncall.teams import service as teams
from openoncall.users import service as users
from openoncall.webhooks import service as webhooks

Op = Literal["create", "update", "unchanged", "skip"]
ACTOR = "import"


@dataclass(frozen=True, slots=True)
class Action:
    kind: str
    source_id: str
    op: Op
    note: str = ""


@dataclass
class Report:
    source: str
    dry_run: bool
    actions: list[Action] = field(default_factory=list)
    left_out: list[n.LeftOut] = field(default_factory=list)
    # Shown once: webhook signing secrets are new here; receivers need them.
    webhook_secrets: dict[str, str] = field(default_factory=dict)

    def count(self, op: Op) -> int:
        return sum(1 for a in self.actions if a.op == op)


Progress = Callable[[str, int, int], None]


def decide(known: ImportedObject | None, fingerprint: str) -> Op:
    """Create what was never imported, leave what has not changed, update the rest."""
    if known is None:
        return "create"
    return "unchanged" if known.fingerprint == fingerprint else "update"


@dataclass
class Applier:
    sessions: Sessions
    clock: Clock
    org_id: int
    source: n.Source
    dry_run: bool = False
    invite: bool = False
    progress: Progress = lambda _kind, _done, _total: None
    report: Report = field(init=False)
    # source id -> local id, per kind, for references between objects
    local: dict[str, dict[str, str]] = field(default_factory=dict)
    _dry: Session | None = None

    def __post_init__(self) -> None:
        self.report = Report(self.source.name, self.dry_run, left_out=list(self.source.left_out))

    def run(self) -> Report:
        if not self.dry_run:
            return self._run_all()
        with self.sessions.write() as session:
            self._dry = session
            try:
                return self._run_all()
            finally:
                session.rollback()
                self._dry = None

    def _run_all(self) -> Report:
        self._each("user", self.source.users, lambda u: u.id, self._user)
        self._each("team", self.source.teams, lambda t: t.id, self._team)
        self._each("rotation", self.source.rotations, lambda r: r.id, self._rotation)
        self._each("webhook", self.source.webhooks, lambda w: w.id, self._webhook)
        self._each("policy", _dependency_order(self.source.policies), lambda p: p.id, self._policy)
        self._each("routing key", self.source.routing_keys, lambda k: k.key, self._routing_key)
        self._each("override", self.source.overrides, lambda o: o.id, self._override)
        return self.report

    # ---- the loop ------------------------------------------------------------------------

    def _each(
        self,
        kind: str,
        items: Sequence[Any],
        key: Callable[[Any], str],
        apply: Callable[[Session, Any, ImportedObject | None, datetime], tuple[Op, str, str]],
    ) -> None:
        for done, item in enumerate(items, start=1):
            source_id = key(item)
            fingerprint = n.fingerprint(item)
            try:
                with self._transaction() as session:
                    known = self._known(session, kind, source_id)
                    now = self.clock.now()
                    op, local_id, note = apply(session, item, known, now)
                    if local_id:
                        self.local.setdefault(kind, {})[source_id] = local_id
                    if op in ("create", "update") and not self.dry_run:
                        if known is None:
                            known = ImportedObject(
                                org_id=self.org_id,
                                source=self.source.name,
                                kind=kind,
                                source_id=source_id,
                            )
                            session.add(known)
                        known.local_id, known.fingerprint = local_id, fingerprint
                        known.updated_at = now
            except OnCallError as exc:
                op, note = "skip", f"refused here: {exc}"
            self.report.actions.append(Action(kind, source_id, op, note))
            self.progress(kind, done, len(items))

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A transaction per object; in a dry run, a savepoint per object inside one
        transaction that is rolled back at the end, so later objects see earlier ones."""
        if self._dry is None:
            with self.sessions.transaction() as session:
                yield session
            return
        with self._dry.begin_nested():
            yield self._dry

    def _known(self, session: Session, kind: str, source_id: str) -> ImportedObject | None:
        return session.scalar(
            select(ImportedObject).where(
                ImportedObject.org_id == self.org_id,
                ImportedObject.source == self.source.name,
                ImportedObject.kind == kind,
                ImportedObject.source_id == source_id,
            )
        )

    def _ref(self, kind: str, source_id: str) -> str | None:
        return self.local.get(kind, {}).get(source_id)

    # ---- users ---------------------------------------------------------------------------

    def _user(
        self, session: Session, u: n.User, known: ImportedObject | None, now: datetime
    ) -> tuple[Op, str, str]:
        op = decide(known, n.fingerprint(u))
        if op == "unchanged":
            assert known is not None
            return op, known.local_id, ""
        existing = users.find_user(session, self.org_id, u.username)
        note = ""
        if existing is None:
            user = users.create_user(
                session,
                self.org_id,
                username=u.username,
                first_name=u.first_name or u.username,
                last_name=u.last_name,
                email=u.email,
                now=now,
            )
            if self.invite:
                queue_invitation_email(
                    session, self.org_id, user.id, expiration_hours=None, now=now
                )
                note = "invited by email to set a password"
        else:
            if op == "create":
                op, note = "update", "matched an existing user by username"
            user = users.update_user(
                session,
                self.org_id,
                existing.username,
                first_name=u.first_name or u.username,
                last_name=u.last_name,
                email=u.email,
            )
        have = {c.value for c in contacts.list_contacts(session, self.org_id, user)}
        for label, address in u.emails:
            if address not in have:
                contacts.add_email(
                    session, self.org_id, user, label=label or "Email", email=address, now=now
                )
        for label, number in u.phones:
            if number not in have:
                contacts.add_phone(
                    session, self.org_id, user, label=label or "Phone", phone=number, now=now
                )
        if u.paging:
            by_value = {c.value: c for c in contacts.list_contacts(session, self.org_id, user)}
            steps = []
            for step in u.paging:
                rules = []
                for rule in step.rules:
                    contact = by_value.get(rule.contact or "") if rule.type != "push" else None
                    rules.append(
                        paging.RuleInput(
                            notification_type=rule.type,
                            contact_id=contact.id if contact is not None else None,
                        )
                    )
                steps.append((step.timeout, rules))
            paging.replace_steps(session, self.org_id, user, steps)
        return op, user.username, note

    # ---- teams ---------------------------------------------------------------------------

    def _team(
        self, session: Session, t: n.Team, known: ImportedObject | None, now: datetime
    ) -> tuple[Op, str, str]:
        op = decide(known, n.fingerprint(t))
        if op == "unchanged":
            assert known is not None
            return op, known.local_id, ""
        if known is None:
            slug = teams.create_team(
                session, self.org_id, name=t.name, description=t.description, now=now
            ).slug
        else:
            slug = known.local_id
            teams.rename_team(session, self.org_id, slug, name=t.name, description=t.description)
        for member in t.members:
            username = self._ref("user", member) or member
            teams.add_member(session, self.org_id, slug, username, is_admin=member in t.admins)
            teams.set_team_admin(session, self.org_id, slug, username, is_admin=member in t.admins)
        return op, slug, ""

    # ---- rotations -----------------------------------------------------------------------

    def _rotation(
        self, session: Session, r: n.Rotation, known: ImportedObject | None, now: datetime
    ) -> tuple[Op, str, str]:
        op = decide(known, n.fingerprint(r))
        if known is not None:
            note = "" if op == "unchanged" else "changed at the source: delete it here to re-import"
            return ("unchanged" if op == "unchanged" else "skip"), known.local_id, note
        team = self._ref("team", r.team)
        if team is None:
            return "skip", "", f"its team {r.team} was not imported"
        group = rotations.create_group(
            session,
            self.org_id,
            team,
            label=r.label,
            shifts=[
                rotations.ShiftSpec(
                    label=s.label,
                    timezone=s.timezone,
                    start=s.start,
                    duration=s.duration,
                    shift_type=s.shifttype,
                    masks=s.masks,
                    usernames=[self._ref("user", m) or m for m in s.members],
                )
                for s in r.shifts
            ],
            actor=ACTOR,
            now=now,
        )
        # The source may have turned the rotation by hand: hand it to whoever holds it there.
        _found, rows = rotations.list_groups(session, self.org_id, team)
        (view,) = rotations.describe_groups(
            session, self.org_id, _found, [g for g in rows if g.id == group.id], now=now
        )
        for shift, spec in zip(view.shifts, r.shifts, strict=True):
            holder = self._ref("user", spec.now_on_call or "") or spec.now_on_call
            period = shift.current or shift.next
            if holder and period is not None and period.username != holder:
                rotations.set_scheduled(
                    session,
                    self.org_id,
                    team,
                    group.id,
                    shift.shift.id,
                    username=holder,
                    actor=ACTOR,
                    now=now,
                )
        return op, group.slug, ""

    # ---- webhooks ------------------------------------------------------------------------

    def _webhook(
        self, session: Session, w: n.Webhook, known: ImportedObject | None, now: datetime
    ) -> tuple[Op, str, str]:
        if known is not None:
            return "unchanged", known.local_id, ""
        made = webhooks.create_webhook(session, self.org_id, label=w.label, url=w.url, now=now)
        if not self.dry_run:
            self.report.webhook_secrets[made.webhook.slug] = made.secret
        return "create", made.webhook.slug, "a new signing secret: give it to the receiver"

    # ---- escalation policies -------------------------------------------------------------

    def _policy(
        self, session: Session, p: n.Policy, known: ImportedObject | None, now: datetime
    ) -> tuple[Op, str, str]:
        op = decide(known, n.fingerprint(p))
        if known is not None:
            note = "" if op == "unchanged" else "changed at the source: delete it here to re-import"
            return ("unchanged" if op == "unchanged" else "skip"), known.local_id, note
        team = self._ref("team", p.team)
        if team is None:
            return "skip", "", f"its team {p.team} was not imported"
        steps = []
        for step in p.steps:
            entries = []
            for entry in step.entries:
                spec = self._entry(entry, p.id)
                if spec is not None:
                    entries.append(spec)
            steps.append(policies.StepSpec(timeout_minutes=step.timeout, entries=entries))
        view = policies.create_policy(
            session,
            self.org_id,
            name=p.name,
            team_slug=team,
            ignore_custom_paging_policies=p.ignore_custom_paging_policies,
            steps=steps,
            actor=ACTOR,
            now=now,
        )
        return op, view.policy.slug, ""

    def _entry(self, entry: n.Entry, policy_id: str) -> policies.EntrySpec | None:
        kind = ExecutionType(entry.type)
        if kind in (
            ExecutionType.ROTATION_GROUP,
            ExecutionType.ROTATION_GROUP_NEXT,
            ExecutionType.ROTATION_GROUP_PREVIOUS,
        ):
            slug = self._ref("rotation", entry.target)
            return self._spec_or_leave(kind, slug, policy_id, entry, rotation_group_slug=slug)
        if kind == ExecutionType.USER:
            name = self._ref("user", entry.target)
            return self._spec_or_leave(kind, name, policy_id, entry, username=name)
        if kind == ExecutionType.EMAIL:
            return policies.EntrySpec(kind, email=entry.target)
        if kind == ExecutionType.WEBHOOK:
            slug = self._ref("webhook", entry.target)
            return self._spec_or_leave(kind, slug, policy_id, entry, webhook_slug=slug)
        slug = self._ref("policy", entry.target)
        return self._spec_or_leave(kind, slug, policy_id, entry, target_policy_slug=slug)

    def _spec_or_leave(
        self,
        kind: ExecutionType,
        found: str | None,
        policy_id: str,
        entry: n.Entry,
        **fields: str | None,
    ) -> policies.EntrySpec | None:
        if found is None:
            self.report.left_out.append(
                n.LeftOut(
                    "policy entry",
                    policy_id,
                    f"{entry.type} {entry.target}: its target was not imported"
                    + (
                        " (a policy that routes to itself or in a cycle)"
                        if entry.type == "policy_routing"
                        else ""
                    ),
                )
            )
            return None
        return policies.EntrySpec(kind, **fields)

    # ---- routing keys --------------------------------------------------------------------

    def _routing_key(
        self, session: Session, k: n.RoutingKey, known: ImportedObject | None, now: datetime
    ) -> tuple[Op, str, str]:
        if known is not None:
            op = decide(known, n.fingerprint(k))
            note = "" if op == "unchanged" else "its targets changed at the source: not updated"
            return ("unchanged" if op == "unchanged" else "skip"), known.local_id, note
        targets = [t for t in (self._ref("policy", p) for p in k.policies) if t is not None]
        existing = {v.key for v in routing.list_routing_keys(session, self.org_id, now=now)}
        if k.key in existing:
            if not targets:
                return "unchanged", k.key, "already here"
            return "skip", "", "a routing key of that name already exists here"
        routing.create_routing_key(session, self.org_id, key=k.key, policy_slugs=targets, now=now)
        return "create", k.key, ""

    # ---- overrides -----------------------------------------------------------------------

    def _override(
        self, session: Session, o: n.Override, known: ImportedObject | None, now: datetime
    ) -> tuple[Op, str, str]:
        if known is not None:
            return "unchanged", known.local_id, ""
        if datetime.fromisoformat(o.end) <= now:
            return "skip", "", "already over"
        username = self._ref("user", o.user) or o.user
        made = overrides.create_override(
            session,
            self.org_id,
            username=username,
            timezone=o.timezone,
            start=o.start,
            end=o.end,
            actor=ACTOR,
            by=None,  # an import acts for the whole organization, as an API key does
            now=now,
        )
        for a in o.assignments:
            policy = self._ref("policy", a.policy)
            if policy is None or a.user is None:
                continue
            overrides.set_assignment(
                session,
                self.org_id,
                made.override.public_id,
                policy,
                body_policy=policy,
                username=self._ref("user", a.user) or a.user,
                actor=ACTOR,
                by=None,
                now=now,
            )
        return "create", made.override.public_id, ""


def _dependency_order(items: list[n.Policy]) -> list[n.Policy]:
    """Policies that others route to first; a cycle keeps the source order."""
    by_id = {p.id: p for p in items}
    ordered: list[n.Policy] = []
    visiting: set[str] = set()

    def visit(p: n.Policy) -> None:
        if p in ordered or p.id in visiting:
            return
        visiting.add(p.id)
        for step in p.steps:
            for entry in step.entries:
                target = by_id.get(entry.target) if entry.type == "policy_routing" else None
                if target is not None:
                    visit(target)
        ordered.append(p)

    for p in items:
        visit(p)
    return ordered
