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


def test_ideas_staff_already_acted_on_start_reviewed(app, make_member):
    """The reviewed_at backfill: a status change or a response is a review at its time; an estimate (which keeps
    no date) counts as one since the idea was posted; an idea nobody touched stays unreviewed."""
    from datetime import datetime

    from portal.feedback.models import Board, Idea

    author = make_member()
    board = Board(slug="ideas", name="Ideas")
    db.session.add(board)
    db.session.flush()
    posted, changed = datetime(2026, 1, 1, 9), datetime(2026, 1, 5, 9)
    rows = {name: Idea(board_id=board.id, author_id=author.id, title=name, created_at=posted, **fields)
            for name, fields in {"untouched": {}, "estimated": {"impact": 3}, "effort only": {"effort": 2},
                                 "status changed": {"status_changed_at": changed}}.items()}
    db.session.add_all(rows.values())
    db.session.commit()
    db.session.remove()

    downgrade(revision="c4a7d2e91f30")  # before reviewed_at
    upgrade()

    reviewed = {idea.title: idea.reviewed_at for idea in db.session.query(Idea)}
    assert reviewed == {"untouched": None, "estimated": posted, "effort only": posted, "status changed": changed}
