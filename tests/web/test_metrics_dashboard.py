"""The dashboard, its charts and its API give the stored figures, and the week's outreach."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from flask import current_app

from eventweek.extensions import db
from eventweek.metrics.demo import seed_published_figures
from eventweek.metrics.imports import import_figures
from eventweek.metrics.keys import METRIC_KEYS
from eventweek.metrics.operations import import_file
from eventweek.metrics.outreach import edition_outreach
from eventweek.registrations import operations as registration_operations
from eventweek.registrations.models import RegistrationState
from eventweek.sessions.models import ActivityKind
from tests.factories import make_activity, make_edition, make_organisation, registered
from tests.openapi import OpenAPIChecker
from tests.web.test_programme_cache import counted_statements

SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.fixture
def figures(app_context):
    seed_published_figures()
    db.session.commit()


def table_cells(html: str, name: str) -> list[list[str]]:
    """The text of each row of the table `data-table="name"`, tags stripped."""
    table = re.search(rf'<table class="records" data-table="{name}">(.*?)</table>', html, re.S)
    assert table, f"no table {name}"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1], re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


@pytest.mark.parametrize(
    ("language", "documents", "providers", "share"),
    [
        ("fr", "83\u202f687\u202f905", "environ 21\u202f000", "35,6\u00a0%"),
        ("nl", "83.687.905", "ongeveer 21.000", "35,6%"),
        ("en", "83,687,905", "about 21,000", "35.6%"),
    ],
)
def test_figures_on_the_page_equal_the_stored_ones_in_each_locale(
    client, figures, language, documents, providers, share
):
    html = client.get(f"/metrics?lang={language}").get_data(as_text=True)
    headline = {row[0]: row[1] for row in table_cells(html, "headline")}
    assert documents in headline.values()
    assert providers in headline.values()
    more_than = {"fr": "plus de 1\u202f000\u202f000", "nl": "meer dan 1.000.000"}
    assert more_than.get(language, "more than 1,000,000") in headline.values()
    types = table_cells(html, "document-types")
    assert share in [row[1] for row in types]
    # Every published share is there, in the network's order.
    assert len(types) == 6


def test_each_chart_is_valid_svg_without_script_and_has_its_table(client, figures):
    make_activity(make_edition(days_from_today=10))
    db.session.commit()
    html = client.get("/metrics?lang=en").get_data(as_text=True)
    charts = re.findall(r'<img src="([^"]+)"[^>]*data-chart="([^"]+)"', html)
    assert {name for _src, name in charts} >= {
        "trend-consenting-patients",
        "trend-providers",
        "trend-documents-available",
        "document-types",
        "consultation-goal",
    }
    for src, name in charts:
        assert f'data-table="{name}"' in html
        response = client.get(src.replace("&amp;", "&"))
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert ElementTree.fromstring(svg.encode()).tag == SVG
        assert "<script" not in svg
        # No fetch from elsewhere: the only addresses are XML namespaces and comments.
        assert not re.search(r'(href|src)="https?://', svg)
        if name == "outreach-days":
            # Two series: the second also differs by its dashed outline, not by colour alone.
            assert ".serie-1 .rect" in svg and "stroke-dasharray:6 3" in svg


def test_a_chart_of_an_unknown_table_is_404(client, figures):
    assert client.get("/metrics/charts/nothing.svg").status_code == 404
    assert client.get("/metrics/charts/headline.svg").status_code == 404  # a table, no chart


def test_the_dashboard_and_its_charts_come_from_the_cache_until_they_change(client, figures):
    talk = make_activity(make_edition(days_from_today=10), capacity=5)
    registered(talk, "A", "a@example.org")
    db.session.commit()

    def dashboard() -> str:
        return client.get("/metrics?lang=en").get_data(as_text=True)

    page = dashboard()
    # Shared by every reader: its language links lead back to the plain address.
    assert 'href="/language/nl?next=/metrics"' in page and "lang=en" not in page.split("<main")[0]
    charts = {
        name: src.replace("&amp;", "&")
        for src, name in re.findall(r'<img src="([^"]+)"[^>]*data-chart="([^"]+)"', page)
    }
    drawn = {name: client.get(src).get_data() for name, src in charts.items()}
    with counted_statements() as statements:
        assert dashboard() == page
        for name, src in charts.items():
            assert client.get(src).get_data() == drawn[name], name
    assert len(statements) == 1 + len(charts), statements  # the version's, each time

    # A registration moves the week's outreach, and only it. (A chart drawn again differs
    # from the one before: pygal gives each drawing ids of its own.)
    registered(talk, "B", "b@example.org")
    db.session.commit()
    assert table_cells(dashboard(), "outreach-totals")[0][1] == "2"
    assert client.get(charts["outreach-days"]).get_data() != drawn["outreach-days"]
    with counted_statements() as statements:
        assert client.get(charts["trend-providers"]).get_data() == drawn["trend-providers"]
    assert len(statements) == 1

    # An import through the operation (the page's or the CLI's) shows at once.
    new_figure = (
        "date,scope,key,value,unit,source\n2030-01-01,network,providers,99999,providers,X\n"
    )
    import_file(new_figure.encode(), None, "figures.csv")
    db.session.commit()
    assert "99,999" in dashboard()
    assert client.get(charts["trend-providers"]).get_data() != drawn["trend-providers"]


def test_outreach_counts_match_the_registrations(client, app_context):
    edition = make_edition(days_from_today=10)
    talk = make_activity(edition, day=0, capacity=2)
    stand = make_activity(edition, day=1, kind=ActivityKind.STAND, capacity=5)
    registered(talk, "A", "a@example.org")
    registered(talk, "B", "b@example.org", on_behalf_of="Aidant")
    waiting = registered(talk, "C", "c@example.org")
    gone = registered(stand, "D", "d@example.org")
    registered(stand, "E", "e@example.org").state = RegistrationState.ATTENDED
    registration_operations.cancel(gone, talk.start_at - timedelta(days=2))
    db.session.commit()
    assert waiting.state == RegistrationState.WAITLISTED

    outreach = edition_outreach(edition)
    assert outreach.total.registrations == 4  # the cancelled one does not count
    assert outreach.total.confirmed == 3 and outreach.total.waitlisted == 1
    assert outreach.total.attended == 1 and outreach.total.by_trusted_person == 1
    assert outreach.by_kind["stand"].registrations == 1
    assert [counts.registrations for counts in outreach.by_day.values()] == [3, 1]

    html = client.get("/metrics?lang=en").get_data(as_text=True)
    assert table_cells(html, "outreach-totals") == [[str(edition.year), "4", "3", "1", "1", "25%"]]
    sessions = table_cells(html, "outreach-sessions")
    assert sessions[0][1:5] == ["3", "2", "0", "1"]
    # Counts only: no name or address of anyone who registered.
    for person in ("a@example.org", "Aidant", ">A<"):
        assert person not in html


def test_the_api_gives_the_latest_value_per_key_and_scope(client, figures):
    checker = OpenAPIChecker(current_app.view_functions["api.openapi"]().copy())
    body = client.get("/api/v1/metrics").get_json()
    checker.check("/metrics", 200, body)
    latest = {(item["key"], item["scope"]): item for item in body["items"]}
    assert latest[("documents_available", "network")] == {
        "key": "documents_available",
        "scope": "network",
        "date": "2024-04-18",
        "value": 83687905,
        "unit": "documents",
        "approximate": False,
        "qualifier": "exact",
        "source": "Réseau Santé Bruxellois: chiffres au 18 avril 2024",
        "demo": False,
    }
    assert latest[("consenting_patients", "network")]["approximate"] is True
    assert latest[("consenting_patients", "network")]["date"] == "2025-06-01"


def test_the_api_gives_a_series_with_filters(client, figures):
    body = client.get("/api/v1/metrics?key=consenting_patients&from=2017-01-01&to=2022-12-31")
    assert body.status_code == 200
    dates = [item["date"] for item in body.get_json()["items"]]
    assert dates == ["2017-03-01", "2018-07-01", "2019-03-01", "2022-06-01"]


def test_a_hospitals_figures_are_its_own_and_marked_demo(client, app_context):
    make_organisation(slug="hopital-demo")
    import_figures(
        b"date,scope,key,value,unit,source\n2025-12-31,hopital-demo,beds,300,beds,demo\n",
        is_demo=True,
    )
    db.session.commit()
    items = client.get("/api/v1/metrics?scope=hopital-demo").get_json()["items"]
    assert [(item["key"], item["value"], item["demo"]) for item in items] == [("beds", 300, True)]
    assert client.get("/api/v1/metrics?scope=network").get_json()["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "key=happiness",
        "scope=nowhere",
        "from=2024-02-30",
        "to=yesterday",
        "from=2024-01-02&to=2024-01-01",
    ],
)
def test_the_api_refuses_bad_filters_with_a_message(client, figures, query):
    response = client.get(f"/api/v1/metrics?{query}", headers={"Accept-Language": "nl"})
    assert response.status_code == 400
    OpenAPIChecker(current_app.view_functions["api.openapi"]().copy()).check(
        "/metrics", 400, response.get_json()
    )
    assert response.get_json()["error"]["detail"]


def test_the_documented_keys_are_the_known_keys(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["schemas"]["MetricKey"]["enum"] == list(METRIC_KEYS)


def test_organisers_download_every_table_as_csv(signed_in, organiser, figures):
    make_organisation(slug="hopital-csv")
    make_activity(make_edition(days_from_today=10))
    db.session.commit()
    client = signed_in(organiser)
    html = client.get("/admin/metrics?lang=en").get_data(as_text=True)
    links = re.findall(r'href="(/admin/metrics/[a-z-]+\.csv)"', html)
    assert "/admin/metrics/hospitals.csv" in links and "/admin/metrics/no-shows.csv" in links
    for link in links:
        response = client.get(link)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.data.startswith(b"\xef\xbb\xbf")
    headline = client.get("/admin/metrics/headline.csv").data.decode("utf-8-sig")
    assert "documents_available;83687905;2024-04-18;" in headline
    assert client.get("/admin/metrics/nothing.csv").status_code == 404


def test_the_organiser_sets_the_consultation_goal(signed_in, organiser, figures):
    client = signed_in(organiser)
    page = client.get("/admin/metrics").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post("/admin/metrics/goal", data={"csrf_token": token, "target": "150"})
    assert refused.status_code == 400
    assert (
        client.post("/admin/metrics/goal", data={"csrf_token": token, "target": "30"}).status_code
        == 302
    )
    html = client.get("/metrics?lang=en").get_data(as_text=True)
    assert table_cells(html, "consultation-goal")[1][:2] == ["Goal", "30%"]
