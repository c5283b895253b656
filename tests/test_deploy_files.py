import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_has_postgres_with_healthcheck_and_web_waiting_for_it():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"db", "web"}
    db = services["db"]
    assert db["image"].startswith("postgres")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.startswith("pgdata:") for volume in db["volumes"])
    assert "pgdata" in compose["volumes"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["env_file"] == ".env"


def test_compose_web_runs_a_production_server_with_migrations_and_fixtures():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "gunicorn" in dockerfile
    assert "migrate" in dockerfile and "bootstrap" in dockerfile
    assert "collectstatic" in dockerfile


def test_compose_holds_no_secrets():
    text = (ROOT / "docker-compose.yml").read_text()
    for match in re.finditer(r"(PASSWORD|SECRET_KEY)\s*[:=]\s*(\S+)", text):
        assert match.group(2).startswith("${"), match.group(0)
    assert (ROOT / ".env.example").exists()
