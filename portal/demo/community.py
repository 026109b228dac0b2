"""The demo's community network: posts with generated photos, questions and their answers,
comments, likes and follows, and Alex's first post, with today's news waiting for him.

The community's services commit once per use case and re-check every rule, so the demo adds the
rows (posts, comments, likes, follows) itself, and everything around them goes through the
helpers the services call: `render_text` for the HTML, `set_hashtags`, `fans.record` for the
engagement events, `notify` and `notify_mentions` for the news, and the scheduled post's
publication job. The like and comment counters are counted from the rows at the end
(`community.posting.recount_counters`).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..accounts.models import User
from ..community import posting
from ..community.jobs import publish_scheduled
from ..community.models import Comment, CommentLike, Follow, NotificationKind, Photo, Post, PostLike
from ..community.posting import notify_mentions, set_hashtags
from ..fans import service as fans
from ..kernel.uow import after_commit
from . import pictures
from .kit import Demo, data

LANDSCAPES = 12  # a dozen scenes, reused: drawing one takes a while
POSTS = 220


def build(demo: Demo) -> None:
    Network(demo).build()
    posting.recount_counters(demo.session)


class Network:
    """Who follows, posts, answers, comments and likes what, written as it happens."""

    def __init__(self, demo: Demo) -> None:
        self.demo, self.session, self.rng, self.now = demo, demo.session, demo.rng, demo.now
        cast = demo.people
        self.staff: list[User] = [u for u in cast.staff if u.is_staff]
        self.members: list[User] = [u for u in cast.members if u.is_verified]
        self.alex, self.everyone = cast.alex, cast.everyone
        self.texts = data("community")
        self.comments: list[Comment] = []

    def build(self) -> None:
        rng, now, texts = self.rng, self.now, self.texts
        self.landscapes = [pictures.landscape(rng) for _ in range(LANDSCAPES)]
        self.follows()
        posts: list[Post] = []
        for index, text in enumerate(texts["announcements"]):
            posts.append(self.post(self.staff[0], text, now - timedelta(days=20 - index * 12), announcement=True))
        for text in self.post_texts(POSTS):
            author = rng.choice(self.members)
            when = now - timedelta(days=rng.uniform(0, 60) ** 1.3 / 60 ** 0.3, minutes=rng.randint(0, 600))
            if rng.random() < 0.15:
                text += f" cc @{rng.choice(self.staff).username}"
            posts.append(self.post(author, text, when, photos=rng.choice([0, 0, 0, 1, 1, 2, 3])))
        questions = []
        for text in texts["questions"]:  # each asked once, by one member
            author = rng.choice(self.members)
            questions.append(self.post(author, text, now - timedelta(days=rng.uniform(0.1, 30)), question=True))
        posts.extend(questions)
        self.answer(questions)
        for post in posts:
            self.talk(post)
        self.like_comments()
        self.welcome_alex(posts)
        self.schedule()

    def post_texts(self, count: int) -> list[str]:
        """`count` different texts: each handwritten post once, then posts put together from the data's parts,
        each combination once (one text posted by nine members would give the demo away)."""
        rng, parts = self.rng, self.texts["post_parts"]
        texts = rng.sample(self.texts["posts"], len(self.texts["posts"]))
        seen = set(texts)
        while len(texts) < count:
            gear, tag = rng.choice(parts["gear"])
            opener = rng.choice(parts["openers"]).format(gear=gear, place=rng.choice(parts["places"]))
            text = " ".join(part for part in (opener, rng.choice(parts["details"]), rng.choice(parts["closers"]), f"#{tag}")
                            if part)
            if text not in seen:
                seen.add(text)
                texts.append(text)
        return texts

    # -- what members do ------------------------------------------------------

    def post(self, author: User, text: str, when: datetime, *, question: bool = False, announcement: bool = False,
             photos: int = 0, publish_at: datetime | None = None) -> Post:
        """A post as `create_post` writes it; a scheduled one waits for its job."""
        session, rendered = self.session, self.demo.text(text)
        post = Post(author_id=author.id, body=text, body_html=rendered.html, is_question=question,
                    is_announcement=announcement, created_at=when, published_at=None if publish_at else when,
                    scheduled_for=publish_at)
        for position in range(photos):
            full, thumb, width, height = self.rng.choice(self.landscapes)
            post.photos.append(Photo(position=position, filename=self.demo.store("photos", full, "jpg"),
                                     thumbnail=self.demo.store("photos", thumb, "jpg"), width=width, height=height))
        session.add(post)
        session.flush()
        with self.demo.at(when):
            set_hashtags(session, post, rendered.hashtags)
            fans.record(session, author.id, "question" if question else "post", post_id=post.id)
        if publish_at is None and rendered.mentions:
            self.demo.later(when, notify_mentions, session, post, rendered.mentions, author)
        if publish_at is not None:
            after_commit(session, publish_scheduled.schedule, eta=publish_at)
        return post

    def comment(self, post: Post, author: User, text: str, when: datetime, parent: Comment | None = None) -> Comment:
        """A comment or a reply as `add_comment` writes it: the post's author and the thread's starter hear of it."""
        session, rendered = self.session, self.demo.text(text)
        comment = Comment(post_id=post.id, author_id=author.id, parent_id=parent.id if parent else None, body=text,
                          body_html=rendered.html, created_at=when)
        session.add(comment)
        session.flush()
        with self.demo.at(when):
            fans.record(session, author.id, "comment", post_id=post.id, comment_id=comment.id)
        told = {author.id}
        for user_id in (post.author_id, parent.author_id if parent else None):
            if user_id is not None and user_id not in told:
                self.demo.notify(when, user_id, NotificationKind.REPLY, actor_id=author.id, post_id=post.id,
                                 comment_id=comment.id)
                told.add(user_id)
        if rendered.mentions:
            self.demo.later(when, notify_mentions, session, post, rendered.mentions, author, comment, skip=told)
        self.comments.append(comment)
        return comment

    def like(self, post: Post, liker: User, when: datetime) -> None:
        """A like as `toggle_post_like` writes it."""
        with self.demo.at(when):
            self.session.add(PostLike(user_id=liker.id, post_id=post.id))
            fans.record(self.session, liker.id, "like_given", post_id=post.id, other_user_id=post.author_id)
            if liker.id != post.author_id:
                fans.record(self.session, post.author_id, "like_received", post_id=post.id, other_user_id=liker.id)
                self.demo.notify(when, post.author_id, NotificationKind.LIKE, actor_id=liker.id, post_id=post.id, once=True)

    # -- the network ----------------------------------------------------------

    def follows(self) -> None:
        """Everyone follows a few people; staff are popular. As `follow` writes it."""
        rng, now, staff = self.rng, self.now, self.staff
        follows: set[tuple[int, int]] = set()
        for person in self.members:
            for followed in rng.sample(self.everyone, 6) + rng.sample(staff, 1):
                if followed.id == person.id or (person.id, followed.id) in follows:
                    continue
                follows.add((person.id, followed.id))
                when = max(person.created_at, followed.created_at) + timedelta(days=rng.uniform(0, 30))
                when = min(when, now - timedelta(hours=1))
                with self.demo.at(when):
                    self.session.add(Follow(follower_id=person.id, followed_id=followed.id))
                    fans.record(self.session, followed.id, "follower_gained", other_user_id=person.id)
                self.demo.notify(when, followed.id, NotificationKind.FOLLOW, actor_id=person.id, once=True)

    def answer(self, questions: list[Post]) -> None:
        """Most questions answered by staff, most answers marked by the asker (`mark_answer`); a few still wait."""
        rng, now = self.rng, self.now
        answers = self.texts["staff_answers"]
        for index, question in enumerate(questions):
            if index % 5 == 4:
                continue  # left for staff to answer: the Questions page is not empty
            answerer = rng.choice(self.staff)
            when = question.published_at + timedelta(hours=rng.uniform(0.2, 6))
            answer = self.comment(question, answerer, answers[index % len(answers)], min(when, now))
            if index % 3 != 2:
                marked = min(answer.created_at + timedelta(minutes=40), now)
                question.answer_id = answer.id
                with self.demo.at(marked):
                    fans.record(self.session, answerer.id, "answer_accepted", post_id=question.id, comment_id=answer.id)
                self.demo.notify(marked, answerer.id, NotificationKind.ANSWERED, actor_id=question.author_id,
                                 post_id=question.id, comment_id=answer.id)

    def talk(self, post: Post) -> None:
        """Conversation and likes on a post."""
        rng, now, members = self.rng, self.now, self.members
        age = (now - post.published_at).total_seconds()
        top: list[Comment] = []
        count = rng.choice([0, 0, 1, 1, 2, 3, 5])
        for text in rng.sample(self.texts["comments"], count):  # nobody says the same thing twice under one post
            parent = rng.choice(top) if top and rng.random() < 0.3 else None
            after = parent.created_at if parent else post.published_at  # a reply comes after what it answers
            when = after + timedelta(seconds=rng.uniform(60, max((now - after).total_seconds(), 120)))
            comment = self.comment(post, rng.choice(members), text, min(when, now), parent)
            if parent is None:
                top.append(comment)
        for liker in rng.sample(members, rng.choice([0, 1, 2, 3, 5, 8, 13, 21])):
            self.like(post, liker, min(post.published_at + timedelta(seconds=rng.uniform(60, max(age, 120))), now))

    def like_comments(self) -> None:
        """A few comment likes, so threads show them too. As `toggle_comment_like` writes them."""
        rng, session = self.rng, self.session
        for comment in rng.sample(self.comments, min(150, len(self.comments))):
            liker = rng.choice(self.members)
            if liker.id == comment.author_id:
                continue
            when = min(comment.created_at + timedelta(minutes=5), self.now)
            with self.demo.at(when):
                session.add(CommentLike(user_id=liker.id, comment_id=comment.id))
                fans.record(session, liker.id, "like_given", comment_id=comment.id, other_user_id=comment.author_id)
                fans.record(session, comment.author_id, "like_received", comment_id=comment.id, other_user_id=liker.id)
            self.demo.notify(when, comment.author_id, NotificationKind.LIKE, actor_id=liker.id, post_id=comment.post_id,
                             comment_id=comment.id, once=True)

    def welcome_alex(self, posts: list[Post]) -> None:
        """Alex, the demo member, posted a few hours ago: a welcome, a mention and likes wait for him."""
        now, alex, story = self.now, self.alex, self.texts["alex"]
        post = self.post(alex, story["post"], now - timedelta(hours=5), photos=1)
        self.comment(post, self.staff[0], story["welcome"], now - timedelta(hours=4))
        tips = [p for p in posts if p.body.startswith(story["tips_post"]) and p.author_id != alex.id] or posts
        self.comment(tips[0], self.staff[1], story["pointer"].format(handle=alex.username), now - timedelta(hours=3))
        for liker in self.members[1:4]:
            self.like(post, liker, now - timedelta(hours=2))

    def schedule(self) -> None:
        """A staff announcement scheduled for tomorrow, waiting for the job queue."""
        tomorrow = self.now + timedelta(days=1)
        self.post(self.staff[1], self.texts["scheduled"], self.now, announcement=True, publish_at=tomorrow)
