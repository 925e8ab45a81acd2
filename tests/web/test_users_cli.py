"""`flask users create|list` and the demo accounts of `flask seed-demo`."""

import pytest
from sqlalchemy import func, select

from eventweek.accounts.demo import DEMO_PASSWORD
from eventweek.accounts.models import Role, User
from eventweek.audit.models import AuditEntry
from eventweek.awards.models import AwardJuror, JurorAffiliation
from eventweek.extensions import db
from tests.factories import make_organisation
from tests.flows import login

PASSWORD = "a long enough password"


def users() -> dict[str, User]:
    db.session.expire_all()
    return {user.email: user for user in db.session.execute(select(User)).scalars()}


def test_create_an_organiser_with_the_password_given(app, app_context):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "Chef@Abrumet.be", "--role", "organiser"]
        + ["--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "chef@abrumet.be" in result.output
    user = users()["chef@abrumet.be"]
    assert user.role == Role.ORGANISER and user.is_active and not user.is_demo
    entry = db.session.execute(select(AuditEntry)).scalar_one()
    assert (entry.action, entry.subject_id, entry.actor_id) == ("user.created", user.id, None)


def test_the_password_is_asked_twice_when_not_given(app, app_context):
    make_organisation(slug="erasme")
    db.session.commit()
    arguments = ["users", "create", "--email", "p@erasme.be", "--role", "partner"]
    arguments += ["--organisation", "erasme"]
    runner = app.test_cli_runner()
    mismatch = runner.invoke(args=arguments, input=f"{PASSWORD}\nsomething else\n")
    assert mismatch.exit_code != 0
    assert "p@erasme.be" not in users()
    result = runner.invoke(args=arguments, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # typed, not echoed
    assert users()["p@erasme.be"].organisation.slug == "erasme"


@pytest.mark.parametrize(
    ("arguments", "exit_code", "message"),
    [
        (["--role", "partner"], 1, "must belong to an organisation"),
        (["--role", "partner", "--organisation", "nowhere"], 1, "No organisation has the slug"),
        (["--role", "juror", "--password", "too short"], 1, "at least 12 characters"),
        (["--role", "admin"], 2, "'admin' is not one of"),
        (["--role", "juror", "--email", "not-an-address"], 1, "is not an e-mail address"),
        (["--role", "juror", "--email", "TAKEN@example.org"], 1, "already exists"),
    ],
)
def test_refusals_exit_non_zero_with_a_clear_message(
    app, app_context, arguments, exit_code, message
):
    runner = app.test_cli_runner()
    runner.invoke(
        args=["users", "create", "--email", "taken@example.org", "--role", "juror"]
        + ["--password", PASSWORD]
    )
    if "--email" not in arguments:
        arguments = [*arguments, "--email", "someone@example.org"]
    if "--password" not in arguments:
        arguments = [*arguments, "--password", PASSWORD]
    result = runner.invoke(args=["users", "create", *arguments])
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert set(users()) == {"taken@example.org"}


def test_list_shows_every_account_as_a_table(app, app_context):
    runner = app.test_cli_runner()
    empty = runner.invoke(args=["users", "list"])
    assert empty.exit_code == 0 and "no accounts yet" in empty.output
    make_organisation(slug="bordet")
    db.session.commit()
    runner.invoke(
        args=["users", "create", "--email", "j@example.org", "--role", "juror"]
        + ["--password", PASSWORD]
    )
    runner.invoke(
        args=["users", "create", "--email", "p@bordet.be", "--role", "partner"]
        + ["--organisation", "bordet", "--password", PASSWORD]
    )
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    lines = [line.split() for line in result.output.splitlines()]
    assert lines == [
        ["email", "role", "organisation", "active", "demo"],
        ["p@bordet.be", "partner", "bordet", "yes", "no"],
        ["j@example.org", "juror", "-", "yes", "no"],
    ]


DEMO_EMAILS = {
    "organisateur@demo.eventweek.test",
    "partner-cin@demo.eventweek.test",
    "partner-mutualite-libre@demo.eventweek.test",
    "partner-mutualite-neutre@demo.eventweek.test",
    "partner-mutualite-chretienne@demo.eventweek.test",
    "partner-erasme@demo.eventweek.test",
    "partner-bordet@demo.eventweek.test",
    "partner-saint-luc@demo.eventweek.test",
    "jure1@demo.eventweek.test",
    "jure2@demo.eventweek.test",
    "jure3@demo.eventweek.test",
}


def test_seed_demo_creates_the_demo_accounts_once(app, app_context):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--year", "2027"])
    assert first.exit_code == 0, first.output
    assert "Demo accounts: 11 created." in first.output
    accounts = users()
    assert set(accounts) == DEMO_EMAILS
    assert all(user.is_demo and user.is_active for user in accounts.values())
    assert accounts["partner-erasme@demo.eventweek.test"].organisation.slug == "erasme"
    assert accounts["organisateur@demo.eventweek.test"].role == Role.ORGANISER
    assert {accounts[f"jure{n}@demo.eventweek.test"].role for n in (1, 2, 3)} == {Role.JUROR}
    hashes = {user.email: user.password_hash for user in accounts.values()}

    again = runner.invoke(args=["seed-demo", "--year", "2027"])
    assert again.exit_code == 0 and "Demo accounts: 0 created." in again.output
    assert {user.email: user.password_hash for user in users().values()} == hashes


def test_a_demo_seeded_before_accounts_existed_gets_them(app, app_context):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo", "--year", "2027"])
    db.session.execute(AuditEntry.__table__.delete())
    db.session.execute(AwardJuror.__table__.delete())
    db.session.execute(JurorAffiliation.__table__.delete())
    db.session.execute(User.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "nothing seeded" in result.output and "Demo accounts: 11 created." in result.output
    assert set(users()) == DEMO_EMAILS
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 11


def test_demo_accounts_sign_in_with_the_shared_password_only_when_enabled(
    app, client, app_context, monkeypatch
):
    app.test_cli_runner().invoke(args=["seed-demo", "--year", "2027"])
    partner = users()["partner-erasme@demo.eventweek.test"]
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_ENABLED", False)
    assert login(client, partner, password=DEMO_PASSWORD).status_code == 403
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_ENABLED", True)
    assert login(client, partner, password=DEMO_PASSWORD).status_code == 302
    assert "Hôpital Erasme" in client.get("/account").get_data(as_text=True)
