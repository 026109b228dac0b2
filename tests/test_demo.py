"""`flask portal demo` builds the same believable community every time, once."""
from sqlalchemy import func, select

from portal import demo
from portal.accounts.models import AuditEvent, Role, User
from portal.admin.service import site_settings
from portal.community.models import Comment, Notification, Post, PostLike
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
    assert db.session.scalar(select(func.count(Post.id))) >= 200, "a lively network"
    likes = select(func.count()).select_from(PostLike).where(PostLike.post_id == Post.id).scalar_subquery()
    comments = select(func.count()).select_from(Comment).where(Comment.post_id == Post.id).scalar_subquery()
    assert db.session.scalar(select(func.count(Post.id)).where((Post.like_count != likes) | (Post.comment_count != comments))) == 0
    unread = select(func.count()).select_from(Notification).where(Notification.user_id == User.id,
                                                                  Notification.read_at.is_(None)).scalar_subquery()
    assert db.session.scalar(select(func.count(User.id)).where(User.unread_notifications != unread)) == 0

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
    for table in reversed(db.metadata.sorted_tables):  # children before parents
        if table.name == "posts":
            db.session.execute(table.update().values(answer_id=None))
        db.session.execute(table.delete())
    db.session.commit()
    demo.load(db.session)
    assert db.session.scalars(select(User.email).order_by(User.id)).all() == names
