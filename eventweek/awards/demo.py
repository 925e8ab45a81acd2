"""The demo award: a cycle in phase "nominations closed", ready for the jury.

Everything here is invented for the demonstration and shown as demo data: the cycle, the
two psychiatric hospitals, the nominations' texts and every hospital-level figure.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from eventweek.accounts.models import User
from eventweek.awards.models import (
    AwardCategory,
    AwardCriterion,
    AwardCycle,
    AwardJuror,
    CriterionKind,
    JurorAffiliation,
    MetricTransform,
    Nomination,
    OutcomeMode,
    Phase,
)
from eventweek.extensions import db
from eventweek.metrics.operations import import_file
from eventweek.sessions.demo import get_or_create
from eventweek.sessions.models import Organisation, OrganisationKind

DEMO_PSYCHIATRIC = {
    "demo-psy-nord": "Hôpital psychiatrique Nord (démo)",
    "demo-psy-sud": "Clinique psychiatrique Sud (démo)",
}
GENERAL = ("erasme", "bordet", "saint-luc")
# Invented: documents published in the reference year and the year before, and beds.
DEMO_FIGURES = {
    "erasme": (2_400_000, 2_000_000, 1000),
    "bordet": (900_000, 600_000, 160),
    "saint-luc": (2_600_000, 2_500_000, 980),
    "demo-psy-nord": (60_000, 50_000, 240),
    "demo-psy-sud": (45_000, 30_000, 120),
}
JURY_CRITERIA = [
    (
        {
            "fr": "Implication des patients",
            "nl": "Betrokkenheid van patiënten",
            "en": "Patient engagement",
        },
        3,
    ),
    (
        {
            "fr": "Pratique du partage sécurisé",
            "nl": "Praktijk van veilig delen",
            "en": "Secure data-sharing practice",
        },
        3,
    ),
    ({"fr": "Innovation", "nl": "Innovatie", "en": "Innovation"}, 2),
]
PUBLISHED = {
    "fr": "Documents publiés sur le réseau",
    "nl": "Documenten gepubliceerd op het netwerk",
    "en": "Documents published to the network",
}
GROWTH = {
    "fr": "Croissance des documents publiés",
    "nl": "Groei van de gepubliceerde documenten",
    "en": "Growth of documents published",
}
PER_BEDS = {
    "fr": "Documents publiés pour 100 lits",
    "nl": "Gepubliceerde documenten per 100 bedden",
    "en": "Documents published per 100 beds",
}


def translated(prefix: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_{language}": text for language, text in texts.items()}


def add_criteria(category: AwardCategory, metrics: list[tuple[dict, MetricTransform, int]]) -> None:
    position = 0
    for names, weight in JURY_CRITERIA:
        db.session.add(
            AwardCriterion(
                category=category,
                position=position,
                weight=Decimal(weight),
                kind=CriterionKind.JURY,
                **translated("name", names),
            )
        )
        position += 1
    for names, transform, weight in metrics:
        db.session.add(
            AwardCriterion(
                category=category,
                position=position,
                weight=Decimal(weight),
                kind=CriterionKind.METRIC,
                metric_key="documents_published",
                metric_transform=transform,
                **translated("name", names),
            )
        )
        position += 1


def demo_figures_csv(year: int) -> bytes:
    lines = ["date,scope,key,value,unit,source"]
    for slug, (this_year, last_year, beds) in DEMO_FIGURES.items():
        source = "Chiffre inventé pour la démonstration"
        lines.append(f"{year - 1}-12-31,{slug},documents_published,{this_year},documents,{source}")
        lines.append(f"{year - 2}-12-31,{slug},documents_published,{last_year},documents,{source}")
        lines.append(f"{year - 1}-12-31,{slug},beds,{beds},beds,{source}")
    return "\n".join(lines).encode()


def seed_demo_award(year: int) -> int:
    """Create the demo cycle of `year` unless it exists, or the demo hospitals do not;
    returns the rows created (0 if none)."""
    if db.session.execute(select(AwardCycle.id).where(AwardCycle.year == year)).first():
        return 0
    found = db.session.execute(
        select(Organisation.slug).where(Organisation.slug.in_(GENERAL))
    ).scalars()
    if set(found) != set(GENERAL):
        return 0
    organisations = {}
    for slug, name in DEMO_PSYCHIATRIC.items():
        organisations[slug], _new = get_or_create(
            Organisation,
            {"slug": slug},
            {"kind": OrganisationKind.HOSPITAL, "name_fr": name, "name_nl": name, "name_en": name},
        )
    for slug in GENERAL:
        organisations[slug] = db.session.execute(
            select(Organisation).where(Organisation.slug == slug)
        ).scalar_one()
    report = import_file(demo_figures_csv(year), None, "award demo figures", is_demo=True)

    cycle = AwardCycle(
        year=year,
        phase=Phase.NOMINATIONS_CLOSED,
        reference_start=date(year - 1, 1, 1),
        reference_end=date(year - 1, 12, 31),
        is_demo=True,
    )
    general = AwardCategory(
        cycle=cycle,
        key="general",
        outcome_mode=OutcomeMode.RANKING,
        **translated(
            "name",
            {"fr": "Hôpitaux généraux", "nl": "Algemene ziekenhuizen", "en": "General hospitals"},
        ),
    )
    psychiatric = AwardCategory(
        cycle=cycle,
        key="psychiatric",
        outcome_mode=OutcomeMode.MEDALS,
        gold_threshold=Decimal("7.5"),
        silver_threshold=Decimal(6),
        bronze_threshold=Decimal("4.5"),
        **translated(
            "name",
            {
                "fr": "Hôpitaux psychiatriques",
                "nl": "Psychiatrische ziekenhuizen",
                "en": "Psychiatric hospitals",
            },
        ),
    )
    db.session.add_all([cycle, general, psychiatric])
    add_criteria(
        general, [(PUBLISHED, MetricTransform.PERIOD_VALUE, 1), (GROWTH, MetricTransform.GROWTH, 1)]
    )
    add_criteria(
        psychiatric,
        [(PUBLISHED, MetricTransform.PERIOD_VALUE, 1), (PER_BEDS, MetricTransform.PER_100_BEDS, 1)],
    )
    db.session.flush()
    for slug, organisation in organisations.items():
        db.session.add(
            Nomination(
                cycle_id=cycle.id,
                category_id=(psychiatric if slug in DEMO_PSYCHIATRIC else general).id,
                organisation_id=organisation.id,
                motivation=(
                    "(Texte de démonstration) Publication automatique des lettres de sortie, "
                    "des rapports de consultation, des résultats de laboratoire et de l'imagerie ; "
                    "inscription des patients dans tous les services."
                ),
                projects="(Démo) Consultation des documents publiés par les autres hôpitaux.",
                contact="Contact de démonstration",
                eligible=True,
                eligibility_reason="Démo : hôpital bruxellois connecté au réseau.",
            )
        )
    jurors = list(
        db.session.execute(
            select(User).where(User.email.like("jure%@demo.eventweek.test")).order_by(User.email)
        ).scalars()
    )
    for juror in jurors:
        db.session.add(AwardJuror(cycle_id=cycle.id, user_id=juror.id))
    if jurors:
        # The first demo juror works at Erasme: that nomination is hidden from them.
        get_or_create(
            JurorAffiliation,
            {"user_id": jurors[0].id, "organisation_id": organisations["erasme"].id},
            {},
        )
    db.session.flush()
    return 3 + len(organisations) + len(jurors) + report.created
