import pytest


@pytest.mark.django_db
def test_front_page_and_health_answer(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/")
    assert response.status_code == 200
    assert "HMS-kort" in response.content.decode()


@pytest.mark.django_db
def test_admin_login_page_is_norwegian_by_default(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "Brukernavn" in response.content.decode()
