"""The teams that incident, maintenance and alert-rule stories stand on, made through the
public API: a team whose policy pages its people one after another, each by name."""

from __future__ import annotations

from tests.scenarios.story import Story, step, user


def team_paging(
    story: Story, name: str, people: list[str], *, after: int = 0, key: str | None = None
) -> str:
    """A team of `people` (new users) whose policy `name` pages the first at once and each
    next one `after` minutes after the one before; routed by `key` when given. Returns the
    policy's slug."""
    for person in people:
        story.user(person)
    team = story.team(name, people)
    steps = [step(0 if i == 0 else after, user(person)) for i, person in enumerate(people)]
    policy = story.policy(team, name, steps)
    if key is not None:
        story.routing_key(key, [policy])
    return policy
