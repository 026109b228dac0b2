"""Search of the feedback board's ideas: a Whoosh index kept beside the database, filtered by board visibility."""
