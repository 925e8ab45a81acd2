"""Loading figures from CSV: refused whole on any bad row, idempotent, from page and CLI."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from eventweek.audit.models import AuditEntry
from eventweek.extensions import db
from eventweek.metrics.imports import ImportRefused, import_figures
from eventweek.metrics.models import MetricSnapshot, Qualifier
from eventweek.metrics.queries import organisation_figure
from tests.factories import make_organisation
from tests.flows import csrf_token

HEADER = "date,scope,key,value,unit,source\n"
GOOD = (
    HEADER + "2024-04-18,network,documents_available,83687905,documents,RSB 2024\n"
    "2024-04-18,network,providers,>17000,providers,RSB 2024\n"
    "2019-03-01,network,consenting_patients,~740000,patients,RSB 2019\n"
    "2024-04-18,network,documents_consulted_by_type.lab_result,35.6,percent,RSB 2024\n"
)


def stored() -> list[tuple]:
    return sorted(
        (s.measured_on.isoformat(), s.scope, s.key, s.value, s.qualifier.value, s.source)
        for s in db.session.execute(select(MetricSnapshot)).scalars()
    )


def test_a_good_file_is_stored_exactly(app_context):
    report = import_figures(GOOD.encode())
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert stored() == [
        ("2019-03-01", "network", "consenting_patients", Decimal(740000), "about", "RSB 2019"),
        ("2024-04-18", "network", "documents_available", Decimal(83687905), "exact", "RSB 2024"),
        (
            "2024-04-18",
            "network",
            "documents_consulted_by_type.lab_result",
            Decimal("35.6"),
            "exact",
            "RSB 2024",
        ),
        ("2024-04-18", "network", "providers", Decimal(17000), "more_than", "RSB 2024"),
    ]


def test_importing_the_same_file_twice_changes_nothing(app_context):
    import_figures(GOOD.encode())
    db.session.commit()
    before = stored()
    report = import_figures(GOOD.encode())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert stored() == before


def test_a_row_with_a_known_date_scope_and_key_corrects_the_figure(app_context):
    import_figures(GOOD.encode())
    report = import_figures(
        (HEADER + "2024-04-18,network,documents_available,83687906,documents,RSB\n").encode()
    )
    assert (report.created, report.updated) == (0, 1)
    value = db.session.execute(
        select(MetricSnapshot.value).where(MetricSnapshot.key == "documents_available")
    ).scalar_one()
    assert value == Decimal(83687906)


def test_a_byte_order_mark_and_windows_line_ends_are_accepted(app_context):
    report = import_figures(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert report.created == 4


def test_a_file_with_any_bad_row_is_refused_whole_with_every_line_named(app_context):
    hospital = make_organisation(slug="hopital-test")
    bad = GOOD + (
        "2024-04-31,network,providers,1,providers,x\n"  # line 6: no 31 April
        "2024-04-18,network,happiness,1,points,x\n"  # line 7: unknown key
        "2024-04-18,network,providers,1 000,providers,x\n"  # line 8: not a number
        "2024-04-18,nowhere,providers,1,providers,x\n"  # line 9: unknown organisation
        "2024-04-18,hopital-test,documents_published,5,documents,\n"  # line 10: no source
        "2024-04-18,hopital-test,documents_published,5,percent,x\n"  # line 11: wrong unit
        "2024-04-18,network,providers,12,providers,again\n"  # line 12: same as line 3
    )
    with pytest.raises(ImportRefused) as refused:
        import_figures(bad.encode())
    lines = [error.line for error in refused.value.errors]
    assert lines == [6, 7, 8, 9, 10, 11, 12]
    assert "happiness" in refused.value.errors[1].message
    assert "ligne 3" in refused.value.errors[-1].message  # French outside a request
    assert stored() == []
    assert hospital.id


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "première ligne"),
        (b"date;scope;key;value;unit;source\n", "première ligne"),
        (HEADER.encode(), "aucun chiffre"),
        (HEADER.encode() + "2024-04-18,network,providers,1,providers,é".encode("latin-1"), "UTF-8"),
        ((HEADER + "2024-04-18,network,providers,1,providers\n").encode(), "5 cellules"),
        (
            (HEADER + "2024-04-18,network,providers,NaN,providers,x\n").encode(),
            "Valeur non valable",
        ),
        (
            (HEADER + "2024-04-18,network,providers,1e30,providers,x\n").encode(),
            "Valeur non valable",
        ),
    ],
)
def test_files_that_are_not_figures_are_refused_with_the_reason(app_context, raw, message):
    with pytest.raises(ImportRefused) as refused:
        import_figures(raw)
    assert message in refused.value.errors[0].message


def test_an_organisations_figure_sums_flows_and_takes_the_latest_stock(app_context):
    hospital = make_organisation(slug="hopital-somme")
    import_figures(
        (
            HEADER + "2024-06-30,hopital-somme,documents_published,100,documents,x\n"
            "2024-12-31,hopital-somme,documents_published,150,documents,x\n"
            "2025-01-31,hopital-somme,documents_published,999,documents,x\n"
            "2024-01-01,hopital-somme,beds,400,beds,x\n"
            "2024-09-01,hopital-somme,beds,420,beds,x\n"
        ).encode(),
        is_demo=True,
    )
    year = (date(2024, 1, 1), date(2024, 12, 31))
    assert organisation_figure(hospital.id, "documents_published", *year) == (Decimal(250), True)
    assert organisation_figure(hospital.id, "beds", *year) == (Decimal(420), True)
    assert organisation_figure(hospital.id, "sumehr_patients", *year) == (None, False)


def test_the_cli_imports_and_refuses_with_exit_codes(app, app_context, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["metrics", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "4 new, 0 corrected, 0 unchanged" in result.output
    result = runner.invoke(args=["metrics", "import", str(good)])
    assert "0 new, 0 corrected, 4 unchanged" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "2024-13-01,network,providers,1,providers,x\n", encoding="utf-8")
    result = runner.invoke(args=["metrics", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 6" in result.output and "nothing changed" in result.output
    assert "AAAA-MM-JJ" in result.output


def upload(client, content: bytes, filename="figures.csv"):
    page = client.get("/admin/metrics")
    return client.post(
        "/admin/metrics/import",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "figures": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def test_an_organiser_uploads_a_file_and_it_is_logged(signed_in, organiser):
    client = signed_in(organiser)
    response = upload(client, GOOD.encode())
    assert response.status_code == 302
    page = client.get("/admin/metrics").get_data(as_text=True)
    assert "4 nouveaux, 0 corrigés, 0 inchangés" in page
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "metrics.imported")
    ).scalar_one()
    assert entry.actor_id == organiser.id and entry.details["created"] == 4


def test_a_refused_upload_lists_the_bad_lines_in_the_readers_language(signed_in, organiser):
    client = signed_in(organiser)
    client.set_cookie("lang", "nl")
    response = upload(client, (GOOD + "2024-02-30,network,providers,1,providers,x\n").encode())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Regel 6:" in page
    assert db.session.execute(select(func.count(MetricSnapshot.id))).scalar_one() == 0


def test_an_upload_without_a_file_or_too_large_is_refused(app, signed_in, organiser):
    client = signed_in(organiser)
    page = client.get("/admin/metrics")
    response = client.post(
        "/admin/metrics/import", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
    )
    assert response.status_code == 400
    app.config["METRICS_IMPORT_MAX_BYTES"] = 50
    try:
        response = upload(client, GOOD.encode())
    finally:
        app.config["METRICS_IMPORT_MAX_BYTES"] = 20_000_000
    assert response.status_code == 400
    assert db.session.execute(select(func.count(MetricSnapshot.id))).scalar_one() == 0


def test_partners_and_jurors_cannot_reach_the_organisers_figures(signed_in, partner, juror):
    for user in (partner, juror):
        client = signed_in(user)
        assert client.get("/admin/metrics").status_code == 403
        assert client.post("/admin/metrics/import").status_code in (400, 403)
    assert db.session.execute(select(func.count(MetricSnapshot.id))).scalar_one() == 0


def test_qualifiers_round_trip(app_context):
    import_figures(GOOD.encode())
    qualifiers = {s.key: s.qualifier for s in db.session.execute(select(MetricSnapshot)).scalars()}
    assert qualifiers["providers"] is Qualifier.MORE_THAN
    assert qualifiers["consenting_patients"] is Qualifier.ABOUT
