"""Search: a Whoosh index per source kept beside the database; every hit is checked against what the reader may see.

Features bring the sources (`register_source(app, SearchSource(...))` from their `init_app`)
and queue index updates after their commits (`after_commit(session, queue_index, name, ids)`);
search imports none of them.
"""
from flask import Flask

from . import sources
from .jobs import queue_index
from .sources import SearchSource, Sources, register_source, sources_of
from .views import bp

__all__ = ["SearchSource", "Sources", "init_app", "queue_index", "register_source", "sources_of"]


def init_app(app: Flask) -> None:
    sources.init_app(app)
    app.register_blueprint(bp)
