"""Each idea's demand figures kept with its votes: voters, votes of the last 30 days, superfans' votes,
votes weighed by tier; each vote records its voter's tier; an index for the feed's announcements

Existing votes take their voters' tiers of now; the figures are counted from the rows, the 30-day
window starting 30 days before the day of the upgrade (the nightly job moves it on).

Revision ID: e4617e8890ed
Revises: f6bd786021e8
Create Date: 2026-12-02 14:10:30.814436

"""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4617e8890ed'
down_revision = 'f6bd786021e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.Enum('member', 'fan', 'superfan', name='tier', native_enum=False, length=10), server_default='member', nullable=False))

    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voter_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('recent_votes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('superfan_votes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('demand', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_ideas_demand', ['demand', 'vote_count', 'id'], unique=False)
        batch_op.create_index('ix_ideas_recent_votes', ['recent_votes', 'vote_count', 'id'], unique=False)
        batch_op.create_index('ix_ideas_superfan_votes', ['superfan_votes', 'vote_count', 'id'], unique=False)
        batch_op.create_index('ix_ideas_voters', ['voter_count', 'vote_count', 'id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index('ix_posts_announcement_published', ['is_announcement', 'published_at', 'id'], unique=False)

    since = datetime.combine(datetime.now(timezone.utc).date() - timedelta(days=30), datetime.min.time())
    op.execute("UPDATE idea_votes SET tier = (SELECT users.tier FROM users WHERE users.id = idea_votes.user_id) "
               "WHERE user_id IS NOT NULL")
    weight = "CASE v.tier WHEN 'superfan' THEN 3 WHEN 'fan' THEN 2 ELSE 1 END"
    figures = {
        "voter_count": "CASE WHEN v.user_id IS NOT NULL OR v.customer_email IS NOT NULL THEN 1 ELSE 0 END",
        "recent_votes": "CASE WHEN v.created_at >= :since THEN 1 ELSE 0 END",
        "superfan_votes": "CASE WHEN v.tier = 'superfan' THEN 1 ELSE 0 END",
        "demand": weight,
    }
    sets = ", ".join(f"{name} = (SELECT COALESCE(SUM({value}), 0) FROM idea_votes v WHERE v.idea_id = ideas.id)"
                     for name, value in figures.items())
    op.get_bind().execute(sa.text(f"UPDATE ideas SET {sets}").bindparams(sa.bindparam("since", type_=sa.DateTime)),
                          {"since": since})
    op.get_bind().execute(sa.text("INSERT INTO site_settings (key, value) VALUES ('feedback.recent_since', :since)"),
                          {"since": since.isoformat()})


def downgrade():
    op.execute("DELETE FROM site_settings WHERE key = 'feedback.recent_since'")
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_announcement_published')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_voters')
        batch_op.drop_index('ix_ideas_superfan_votes')
        batch_op.drop_index('ix_ideas_recent_votes')
        batch_op.drop_index('ix_ideas_demand')
        batch_op.drop_column('demand')
        batch_op.drop_column('superfan_votes')
        batch_op.drop_column('recent_votes')
        batch_op.drop_column('voter_count')

    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_column('tier')

