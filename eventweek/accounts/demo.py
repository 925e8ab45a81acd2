"""Demo accounts for the local demo: an organiser, a partner per mutuality and hospital,
three jurors, all with one shared password that the README prints.

They are flagged `is_demo` and refused at sign-in unless the app runs in debug mode or
with DEMO_ACCOUNTS_ENABLED (see operations.demo_accounts_allowed).
"""

from __future__ import annotations

from sqlalchemy import select

from eventweek.accounts.models import Role
from eventweek.accounts.operations import create_user, find_user
from eventweek.extensions import db
from eventweek.sessions.demo import demo_data
from eventweek.sessions.models import Organisation, OrganisationKind

# Public on purpose, for the local demo (bandit B105: accepted, see docs/decisions/0006).
DEMO_PASSWORD = "demo-semaine-esante"  # noqa: S105  # nosec B105
DEMO_DOMAIN = "demo.eventweek.test"
PARTNER_KINDS = (OrganisationKind.MUTUALITY, OrganisationKind.HOSPITAL)
ORGANISER_ORGANISATION = "abrumet"  # the network that runs the week
JURORS = 3


def demo_accounts() -> list[tuple[Role, str, str | None]]:
    """(role, e-mail, organisation slug) of every demo account, in the README's order."""
    partners = [
        entry["slug"]
        for entry in demo_data()["organisations"]
        if OrganisationKind(entry["kind"]) in PARTNER_KINDS
    ]
    return [
        (Role.ORGANISER, f"organisateur@{DEMO_DOMAIN}", ORGANISER_ORGANISATION),
        *((Role.PARTNER, f"partner-{slug}@{DEMO_DOMAIN}", slug) for slug in partners),
        *((Role.JUROR, f"jure{number}@{DEMO_DOMAIN}", None) for number in range(1, JURORS + 1)),
    ]


def seed_demo_accounts() -> int:
    """Create the demo accounts that are missing; returns how many (0 on a rerun).

    A partner whose organisation is not in the database is skipped; the organiser is
    created without an organisation if the network's is missing.
    """
    existing = set(db.session.execute(select(Organisation.slug)).scalars())
    created = 0
    for role, email, slug in demo_accounts():
        if find_user(email) is not None:
            continue
        if slug not in existing:
            if role == Role.PARTNER:
                continue
            slug = None
        create_user(email, role, DEMO_PASSWORD, organisation=slug, is_demo=True)
        created += 1
    return created
