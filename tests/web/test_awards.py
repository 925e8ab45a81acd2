"""The award from the outside: roles, phases, recusal, scoring, publication, API and CLI."""

from __future__ import annotations

import io
import json
import re

import pytest
from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from eventweek.accounts.models import User
from eventweek.audit.models import AuditEntry
from eventweek.awards.models import AwardCycle, Nomination, Phase, Score
from eventweek.extensions import db
from tests.factories import USER_PASSWORD, make_organisation, make_user
from tests.flows import csrf_token
from tests.openapi import OpenAPIChecker

YEAR = 2027


@pytest.fixture
def demo(app, app_context):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    return db.session.execute(select(AwardCycle).where(AwardCycle.year == YEAR)).scalar_one()


def demo_user(email: str) -> User:
    user = db.session.execute(select(User).where(User.email == email)).scalar_one()
    # Demo accounts sign in only in debug mode; these sign in like any account.
    user.is_demo = False
    user.password_hash = generate_password_hash(USER_PASSWORD)
    db.session.commit()
    return user


@pytest.fixture
def jurors(demo):
    return [demo_user(f"jure{n}@demo.eventweek.test") for n in (1, 2, 3)]


@pytest.fixture
def organiser_client(signed_in, demo):
    return signed_in(demo_user("organisateur@demo.eventweek.test"))


def advance(client, to: Phase):
    while True:
        cycle = db.session.execute(select(AwardCycle).where(AwardCycle.year == YEAR)).scalar_one()
        db.session.refresh(cycle)
        if cycle.phase == to:
            return
        token = csrf_token(client.get("/admin/awards/").get_data(as_text=True))
        response = client.post(f"/admin/awards/{YEAR}/advance", data={"csrf_token": token})
        assert response.status_code == 302


def nomination_of(slug: str) -> Nomination:
    return next(
        n for n in db.session.execute(select(Nomination)).scalars() if n.organisation.slug == slug
    )


def score(client, nomination: Nomination, values: list[str], comment: str = ""):
    page = client.get(f"/jury/nominations/{nomination.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    names = re.findall(r'name="(score-\d+)"', html)
    data = {"csrf_token": csrf_token(html), "comment": comment}
    data.update(dict(zip(names, values, strict=True)))
    return client.post(f"/jury/nominations/{nomination.id}", data=data)


def test_a_juror_does_not_see_the_nomination_of_their_own_hospital(
    signed_in, jurors, organiser_client
):
    advance(organiser_client, Phase.SCORING_OPEN)
    affiliated = signed_in(jurors[0])
    home = affiliated.get("/jury/").get_data(as_text=True)
    erasme = nomination_of("erasme")
    assert "Erasme" not in home
    assert affiliated.get(f"/jury/nominations/{erasme.id}").status_code == 404
    other = signed_in(jurors[1])
    assert other.get(f"/jury/nominations/{erasme.id}").status_code == 200


def test_scoring_is_refused_outside_the_scoring_phase(signed_in, jurors, demo):
    client = signed_in(jurors[1])
    nomination = nomination_of("bordet")
    # Nominations closed: the nomination is not open to the jury yet.
    assert client.get(f"/jury/nominations/{nomination.id}").status_code == 404
    assert db.session.execute(select(Score)).first() is None


def test_scores_off_the_scale_or_the_half_point_grid_are_refused(
    signed_in, jurors, organiser_client
):
    advance(organiser_client, Phase.SCORING_OPEN)
    client = signed_in(jurors[1])
    nomination = nomination_of("bordet")
    for bad in (["11", "5", "5"], ["7.3", "5", "5"], ["-1", "5", "5"], ["sept", "5", "5"]):
        response = score(client, nomination, bad)
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.execute(select(Score)).first() is None
    assert score(client, nomination, ["7,5", "8", ""]).status_code == 302
    values = sorted(float(s.value) for s in db.session.execute(select(Score)).scalars())
    assert values == [7.5, 8.0]


def test_every_score_save_is_in_the_audit_trail_with_old_and_new_values(
    signed_in, jurors, organiser_client
):
    advance(organiser_client, Phase.SCORING_OPEN)
    client = signed_in(jurors[1])
    nomination = nomination_of("bordet")
    score(client, nomination, ["6", "6", "6"])
    score(client, nomination, ["7", "6", "6"])
    entries = (
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "award.score_saved")
            .order_by(AuditEntry.id)
        )
        .scalars()
        .all()
    )
    assert len(entries) == 4
    assert entries[-1].details["value"] == {"old": "6.0", "new": "7"}
    assert entries[-1].actor_id == jurors[1].id


def test_a_declared_conflict_recuses_the_juror(signed_in, jurors, organiser_client):
    advance(organiser_client, Phase.SCORING_OPEN)
    client = signed_in(jurors[2])
    nomination = nomination_of("saint-luc")
    html = client.get(f"/jury/nominations/{nomination.id}").get_data(as_text=True)
    response = client.post(
        f"/jury/nominations/{nomination.id}/conflict",
        data={"csrf_token": csrf_token(html), "reason": "Ancien employeur", "confirm": "y"},
    )
    assert response.status_code == 302
    assert client.get(f"/jury/nominations/{nomination.id}").status_code == 404


def test_a_juror_of_no_cycle_and_other_roles_are_kept_out(signed_in, demo, organiser_client):
    advance(organiser_client, Phase.SCORING_OPEN)
    outsider = signed_in(make_user("juror"))
    db.session.commit()
    nomination = nomination_of("bordet")
    assert outsider.get(f"/jury/nominations/{nomination.id}").status_code == 404
    partner = signed_in(make_user("partner"))
    assert partner.get("/jury/").status_code == 403
    assert partner.get("/admin/awards/").status_code == 403


def test_nominations_after_closing_are_refused(signed_in, demo):
    hospital = make_organisation(slug="hopital-tardif", kind="hospital")
    partner = make_user("partner", organisation=hospital)
    db.session.commit()
    client = signed_in(partner)
    page = client.get("/awards/nominate").get_data(as_text=True)
    category = db.session.execute(select(AwardCycle)).scalar_one().categories[0]
    response = client.post(
        "/awards/nominate",
        data={
            "csrf_token": csrf_token(page),
            "organisation_id": hospital.id,
            "category_id": category.id,
            "motivation": "Nous partageons beaucoup.",
            "contact": "Marie, 02 555 00 00",
        },
    )
    assert response.status_code == 409
    assert (
        db.session.execute(
            select(Nomination).where(Nomination.organisation_id == hospital.id)
        ).first()
        is None
    )


def test_a_hospital_nominates_itself_once_while_nominations_are_open(signed_in, demo):
    demo.phase = Phase.NOMINATIONS_OPEN
    hospital = make_organisation(slug="hopital-candidat", kind="hospital")
    partner = make_user("partner", organisation=hospital)
    db.session.commit()
    client = signed_in(partner)
    category = demo.categories[0]
    data = {
        "organisation_id": hospital.id,
        "category_id": category.id,
        "motivation": "Nous publions automatiquement quatre types de documents.",
        "contact": "Marie, 02 555 00 00",
    }
    page = client.get("/awards/nominate").get_data(as_text=True)
    assert (
        client.post("/awards/nominate", data={"csrf_token": csrf_token(page), **data}).status_code
        == 302
    )
    page = client.get("/awards/nominate").get_data(as_text=True)
    again = client.post("/awards/nominate", data={"csrf_token": csrf_token(page), **data})
    assert again.status_code == 409
    # A partner cannot nominate another hospital.
    other = make_organisation(slug="hopital-autre", kind="hospital")
    db.session.commit()
    page = client.get("/awards/nominate").get_data(as_text=True)
    forged = client.post(
        "/awards/nominate",
        data={"csrf_token": csrf_token(page), **data, "organisation_id": other.id},
    )
    assert forged.status_code == 400


def test_publication_freezes_scores_and_the_api_and_cli_agree(
    app, signed_in, jurors, organiser_client, client
):
    advance(organiser_client, Phase.SCORING_OPEN)
    assert client.get(f"/api/v1/awards/{YEAR}/results").status_code == 404
    sheets = {
        1: {"bordet": ["8", "7", "6"], "saint-luc": ["6", "6", "6"]},
        2: {"erasme": ["9", "9", "8"], "bordet": ["7", "7", "7"], "saint-luc": ["5", "6", "7"]},
        3: {"erasme": ["8", "8", "8"], "bordet": ["6", "8", "7"], "saint-luc": ["7", "7", "7"]},
    }
    for number, sheet in sheets.items():
        juror_client = signed_in(jurors[number - 1])
        for slug, values in sheet.items():
            assert score(juror_client, nomination_of(slug), values).status_code == 302
    advance(organiser_client, Phase.SCORING_CLOSED)
    provisional = organiser_client.get("/admin/awards/").get_data(as_text=True)
    assert 'data-results="general"' in provisional
    assert client.get(f"/api/v1/awards/{YEAR}/results").status_code == 404
    advance(organiser_client, Phase.RESULTS_PUBLISHED)

    response = client.get(f"/api/v1/awards/{YEAR}/results")
    assert response.status_code == 200
    body = response.get_json()
    OpenAPIChecker(current_app.view_functions["api.openapi"]().copy()).check(
        "/awards/{year}/results", 200, body
    )
    general = next(c for c in body["categories"] if c["key"] == "general")
    ranked = {n["organisation"]: n for n in general["nominees"]}
    # Erasme, scored by jurors 2 and 3 only (juror 1 is recused): jury means 8.5, 8.5, 8.
    assert ranked["erasme"]["breakdown"][0]["score"] == pytest.approx(8.5)
    assert ranked["erasme"]["rank"] == 1
    # The total is the weighted mean of the breakdown: anyone can recompute it.
    for nominee in general["nominees"]:
        parts = nominee["breakdown"]
        expected = sum(p["weight"] * p["score"] for p in parts) / sum(p["weight"] for p in parts)
        assert nominee["total"] == pytest.approx(expected)

    cli = app.test_cli_runner().invoke(args=["awards", "results", "--year", str(YEAR), "--json"])
    assert cli.exit_code == 0 and json.loads(cli.output) == body

    page = client.get("/awards").get_data(as_text=True)
    assert 'data-results="general"' in page and 'data-results="psychiatric"' in page
    # Frozen: no juror can change a score any more.
    juror_client = signed_in(jurors[1])
    bordet = nomination_of("bordet")
    assert juror_client.get(f"/jury/nominations/{bordet.id}").status_code == 200
    html = juror_client.get(f"/jury/nominations/{bordet.id}").get_data(as_text=True)
    assert 'name="score-' not in html
    response = juror_client.post(
        f"/jury/nominations/{bordet.id}",
        data={"csrf_token": csrf_token(html), "comment": ""},
    )
    assert response.status_code == 409
    # A winner's certificate exists; a non-winner's does not.
    winner = ranked["erasme"]["nomination_id"]
    assert client.get(f"/awards/{YEAR}/certificates/{winner}").status_code == 200
    loser = next(n for n in general["nominees"] if n["rank"] == 3)["nomination_id"]
    assert client.get(f"/awards/{YEAR}/certificates/{loser}").status_code == 404


def test_the_public_page_lists_nominees_once_nominations_close(client, demo):
    page = client.get("/awards?lang=en").get_data(as_text=True)
    assert "Jules Bordet Institute" in page and "Demo data" in page
    assert "data-results=" not in page


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_attachments_are_pdf_only_size_limited_and_shown_to_the_jury_only(
    app, signed_in, jurors, organiser_client, demo, tmp_path
):
    app.config["AWARD_ATTACHMENT_DIR"] = str(tmp_path)
    demo.phase = Phase.NOMINATIONS_OPEN
    hospital = make_organisation(slug="hopital-pdf", kind="hospital")
    partner = make_user("partner", organisation=hospital)
    db.session.commit()
    client = signed_in(partner)
    fields = {
        "organisation_id": hospital.id,
        "category_id": demo.categories[0].id,
        "motivation": "Nos projets de partage.",
        "contact": "Marie, 02 555 00 00",
    }

    def send(filename, content):
        page = client.get("/awards/nominate").get_data(as_text=True)
        return client.post(
            "/awards/nominate",
            data={
                "csrf_token": csrf_token(page),
                **fields,
                "attachments": (io.BytesIO(content), filename),
            },
            content_type="multipart/form-data",
        )

    assert send("projet.pdf", b"MZ\x90\x00 not a pdf").status_code == 400
    app.config["AWARD_ATTACHMENT_MAX_BYTES"] = 20
    try:
        assert send("gros.pdf", PDF).status_code == 400
    finally:
        app.config["AWARD_ATTACHMENT_MAX_BYTES"] = 5_000_000
    assert list(tmp_path.iterdir()) == [] and nomination_count(hospital) == 0
    assert send("../../Projets 2026.pdf", PDF).status_code == 302
    [stored] = list(tmp_path.iterdir())
    assert stored.read_bytes() == PDF

    nomination = nomination_of("hopital-pdf")
    nomination.eligible = True
    db.session.commit()
    advance(organiser_client, Phase.SCORING_OPEN)
    juror_client = signed_in(jurors[1])
    html = juror_client.get(f"/jury/nominations/{nomination.id}").get_data(as_text=True)
    link = re.search(r'href="(/awards/attachments/\d+)">Projets 2026.pdf<', html).group(1)
    download = juror_client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert client.get(link).status_code == 403  # the partner who sent it
    assert organiser_client.get(link).status_code == 200
    # A juror who stepped back no longer reaches it.
    declare = juror_client.post(
        f"/jury/nominations/{nomination.id}/conflict",
        data={"csrf_token": csrf_token(html), "reason": "Lien familial", "confirm": "y"},
    )
    assert declare.status_code == 302
    assert juror_client.get(link).status_code == 404


def nomination_count(organisation) -> int:
    return len(
        db.session.execute(
            select(Nomination.id).where(Nomination.organisation_id == organisation.id)
        ).all()
    )


def test_organisers_remind_the_jurors_with_nominations_left(
    signed_in, jurors, organiser_client, smtp
):
    advance(organiser_client, Phase.SCORING_OPEN)
    juror_client = signed_in(jurors[1])
    for slug in ("erasme", "bordet", "saint-luc", "demo-psy-nord", "demo-psy-sud"):
        assert score(juror_client, nomination_of(slug), ["5", "5", "5"]).status_code == 302
    token = csrf_token(organiser_client.get("/admin/awards/").get_data(as_text=True))
    response = organiser_client.post(f"/admin/awards/{YEAR}/remind", data={"csrf_token": token})
    assert response.status_code == 302
    recipients = sorted(message["To"] for message in smtp.wait_for(2))
    # Juror 2 has scored everything; jurors 1 (4 left: Erasme is hidden) and 3 (5) are reminded.
    assert recipients == ["jure1@demo.eventweek.test", "jure3@demo.eventweek.test"]
    first = next(m for m in smtp.messages if m["To"] == "jure1@demo.eventweek.test")
    assert "4 candidatures" in first.get_body(("plain",)).get_content()


def test_an_organiser_sets_up_a_cycle_its_categories_criteria_and_jury(signed_in, organiser, juror):
    hospital = make_organisation(slug="hopital-jury", kind="hospital")
    db.session.commit()
    client = signed_in(organiser)

    def post(url, **data):
        token = csrf_token(client.get("/admin/awards/setup").get_data(as_text=True))
        return client.post(url, data={"csrf_token": token, **data})

    cycle_fields = {"year": "2031", "reference_start": "2030-01-01", "min_jurors": "2"}
    assert (
        post("/admin/awards/cycles", **cycle_fields, reference_end="2029-12-31").status_code == 400
    )
    assert (
        post("/admin/awards/cycles", **cycle_fields, reference_end="2030-12-31").status_code == 302
    )
    assert (
        post("/admin/awards/cycles", **cycle_fields, reference_end="2030-12-31").status_code == 302
    )
    assert len(db.session.execute(select(AwardCycle)).all()) == 1  # the second was refused

    assert (
        post(
            "/admin/awards/2031/categories",
            key="Général!",
            name_fr="Généraux",
            outcome_mode="ranking",
        ).status_code
        == 400
    )
    assert (
        post(
            "/admin/awards/2031/categories",
            key="general",
            name_fr="Généraux",
            outcome_mode="ranking",
        ).status_code
        == 302
    )
    cycle = db.session.execute(select(AwardCycle)).scalar_one()
    db.session.refresh(cycle)
    category = cycle.categories[0]
    criterion = {"category_id": category.id, "name_fr": "Innovation", "kind": "jury"}
    assert post("/admin/awards/2031/criteria", **criterion, weight="0").status_code == 400
    assert post("/admin/awards/2031/criteria", **criterion, weight="2").status_code == 302
    metric = {**criterion, "name_fr": "Documents", "kind": "metric", "weight": "1"}
    assert post("/admin/awards/2031/criteria", **metric).status_code == 400  # no figure chosen
    assert (
        post(
            "/admin/awards/2031/criteria",
            **metric,
            metric_key="documents_published",
            metric_transform="growth",
        ).status_code
        == 302
    )
    db.session.refresh(category)
    assert [
        (c.kind.value, c.metric_transform and c.metric_transform.value) for c in category.criteria
    ] == [
        ("jury", None),
        ("metric", "growth"),
    ]

    assert (
        post(
            "/admin/awards/2031/jurors", user_id=juror.id, organisation_ids=hospital.id
        ).status_code
        == 302
    )
    assert post("/admin/awards/2031/jurors", user_id=organiser.id).status_code == 400  # not a juror
    page = client.get("/admin/awards/setup").get_data(as_text=True)
    assert juror.email in page and "Organisation" in page or hospital.name_fr in page
    actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert {
        "award.cycle_created",
        "award.category_added",
        "award.criterion_added",
        "award.juror_assigned",
    } <= actions

    cycle.phase = Phase.SCORING_OPEN
    db.session.commit()
    late = post("/admin/awards/2031/criteria", **criterion, weight="1")
    assert late.status_code == 302
    db.session.refresh(category)
    assert len(category.criteria) == 2  # refused once scoring is open


def test_the_jury_decides_a_tie_with_a_reason(signed_in, jurors, organiser_client):
    advance(organiser_client, Phase.SCORING_OPEN)
    # The decision is recorded once scoring closes, with its order and reason; an order
    # naming nominations outside the category is refused.
    for number in (2, 3):
        juror_client = signed_in(jurors[number - 1])
        for slug in ("demo-psy-nord", "demo-psy-sud"):
            assert score(juror_client, nomination_of(slug), ["7", "7", "7"]).status_code == 302
    advance(organiser_client, Phase.SCORING_CLOSED)
    page = organiser_client.get("/admin/awards/").get_data(as_text=True)
    north, south = nomination_of("demo-psy-nord"), nomination_of("demo-psy-sud")
    category = north.category
    response = organiser_client.post(
        f"/admin/awards/categories/{category.id}/tie",
        data={"csrf_token": csrf_token(page), "order": f"{south.id}, {north.id}", "reason": "Vote"},
    )
    assert response.status_code == 302
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "award.tie_decided")
    ).scalar_one()
    assert entry.details == {"order": [south.id, north.id], "reason": "Vote"}
    forged = organiser_client.post(
        f"/admin/awards/categories/{category.id}/tie",
        data={"csrf_token": csrf_token(page), "order": "999999", "reason": "x"},
    )
    assert forged.status_code == 302
    assert (
        len(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.action == "award.tie_decided")
            ).all()
        )
        == 1
    )
