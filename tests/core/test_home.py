from flask_sqlalchemy.record_queries import get_recorded_queries


def test_home_lists_villages_grouped_by_kind(client, seeded):
    html = client.get("/").text
    for heading in ("Grote dorpen", "Dorpen", "Buurtschappen", "Wijken"):
        assert f">{heading}</h3>" in html
    assert "Orvelte" in html and "97 inwoners" in html
    assert "Algemeen Belang Orvelte" in html
    assert "onderdeel van Beilen" in html
    assert "demogetal" in html


def test_home_without_villages_says_so(client):
    assert "Er zijn nog geen dorpen geladen." in client.get("/").text


def test_home_needs_a_fixed_number_of_queries(app, client, seeded):
    before = len(get_recorded_queries())
    client.get("/")
    assert len(get_recorded_queries()) - before <= 4


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.text


def test_json_clients_get_json_errors(client):
    response = client.get("/bestaat-niet", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == "Pagina niet gevonden"
