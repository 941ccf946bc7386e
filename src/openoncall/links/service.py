"""The link signer of a running instance: its secret from settings or from the database."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from openoncall.container import Container
from openoncall.links.signing import LinkSigner
from openoncall.orgs.service import instance_secret

SECRET_NAME = "link_signing"  # noqa: S105  (the name of the stored secret, not a secret)


def link_signer(container: Container) -> LinkSigner:
    """One signer per container; every process of an instance shares the stored secret."""
    if container.link_signer is not None:
        return container.link_signer
    configured = container.settings.secret_key
    if configured is not None:
        secret = configured.get_secret_value()
    else:
        try:
            with container.sessions.transaction() as session:
                secret = instance_secret(session, SECRET_NAME)
        except IntegrityError:
            # Another process created it at the same moment: use theirs.
            with container.sessions.transaction() as session:
                secret = instance_secret(session, SECRET_NAME)
    signer = LinkSigner(secret, container.settings.base_url, container.clock)
    container.link_signer = signer
    return signer
