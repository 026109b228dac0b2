"""`flask portal demo` builds the same believable community every time, once."""
from sqlalchemy import func, select

from portal import demo
from portal.accounts.models import AuditEvent, Role, User
from portal.admin.service import site_settings
from portal.extensions import db


def test_demo_loads_a_community_once_and_prints_working_sign_ins(runner, client):
    first = runner.invoke(args=["portal", "demo"])
    assert first.exit_code == 0, first.output
    assert "Demo community loaded." in first.output
    count = db.session.scalar(select(func.count(User.id)))
    assert count >= demo.MEMBER_COUNT
    roles = dict(db.session.execute(select(User.role, func.count(User.id)).group_by(User.role)).all())
    assert roles[Role.ADMIN] == 1 and roles[Role.STAFF] >= 2 and roles[Role.MODERATOR] >= 1
    assert db.session.scalar(select(func.count(AuditEvent.id))) >= 4
    assert site_settings(db.session).name == "Fernhill Community"

    again = runner.invoke(args=["portal", "demo"])
    assert "already loaded" in again.output
    assert db.session.scalar(select(func.count(User.id))) == count

    for _role, email, password in demo.SIGN_INS:
        assert email in first.output and password in first.output
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"{email} cannot sign in with the printed password"
        client.post("/logout")


def test_demo_is_the_same_people_every_time(app):
    demo.load(db.session)
    names = db.session.scalars(select(User.email).order_by(User.id)).all()
    db.session.execute(db.delete(AuditEvent))
    db.session.execute(db.delete(User))
    db.session.commit()
    demo.load(db.session)
    assert db.session.scalars(select(User.email).order_by(User.id)).all() == names
