"""The migrations build exactly the schema the models describe, on this test leg's database."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal.extensions import db


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    # The test database was built by running every migration (see conftest.py).
    assert _differences() == []


def test_migrations_go_down_and_up_again(app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _differences() == []
    assert "users" in inspect(db.engine).get_table_names()
