"""Top fans: what each engagement event earned, each member's standing, voids, badges, notes, selections

Existing events get the day they happened and the default weight of their kind as their points
(a vote for one's own idea earns nothing); likes given and votes learn whose post or idea they
were for, so that self-likes and the daily cap between two members can be told. Standings are
built from the ledger afterwards by `flask portal recompute-scores` (or the nightly job).

Revision ID: f6bd786021e8
Revises: 9d2f4b6a8c1e
Create Date: 2026-12-02 07:18:58

"""
import sqlalchemy as sa
from alembic import op

# The default weights in milli-points when this migration was written (portal/fans/rules.py).
DEFAULT_WEIGHTS = {"post": 5000, "question": 3000, "comment": 2000, "like_given": 500, "like_received": 1000,
                   "follower_gained": 1000, "answer_accepted": 15000, "idea_posted": 5000, "idea_vote": 1000,
                   "idea_comment": 2000}


# revision identifiers, used by Alembic.
revision = 'f6bd786021e8'
down_revision = '9d2f4b6a8c1e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fan_badges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('badge', sa.String(length=30), nullable=False),
    sa.Column('earned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fan_badges_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fan_badges')),
    sa.UniqueConstraint('user_id', 'badge', name=op.f('uq_fan_badges_user_id'))
    )
    with op.batch_alter_table('fan_badges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fan_badges_user_id'), ['user_id'], unique=False)

    op.create_table('fan_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_fan_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fan_notes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fan_notes'))
    )
    with op.batch_alter_table('fan_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fan_notes_user_id'), ['user_id'], unique=False)

    op.create_table('fan_selections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fan_selections_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fan_selections')),
    sa.UniqueConstraint('name', name=op.f('uq_fan_selections_name'))
    )
    op.create_table('fan_standings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('like_score', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('lifetime', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('scored_day', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_event_day', sa.Integer(), nullable=True),
    sa.Column('tier_since', sa.DateTime(), nullable=True),
    sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('pin_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('last_contacted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fan_standings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_fan_standings'))
    )
    with op.batch_alter_table('fan_standings', schema=None) as batch_op:
        batch_op.create_index('ix_fan_standings_lifetime', ['lifetime'], unique=False)
        batch_op.create_index('ix_fan_standings_score', ['score'], unique=False)

    op.create_table('fan_voids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.DateTime(), nullable=False),
    sa.Column('ends_on', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_fan_voids_moderator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fan_voids_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fan_voids'))
    )
    with op.batch_alter_table('fan_voids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fan_voids_user_id'), ['user_id'], unique=False)

    op.create_table('fan_selection_members',
    sa.Column('selection_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['selection_id'], ['fan_selections.id'], name=op.f('fk_fan_selection_members_selection_id_fan_selections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fan_selection_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('selection_id', 'user_id', name=op.f('pk_fan_selection_members'))
    )
    with op.batch_alter_table('fan_selection_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fan_selection_members_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('engagement_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('weight', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('points', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('limited', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('voided', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('void_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_engagement_events_day', ['day'], unique=False)
        batch_op.create_index('ix_engagement_events_user_kind_day', ['user_id', 'kind', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_events_void_id'), ['void_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_engagement_events_void_id_fan_voids'), 'fan_voids', ['void_id'], ['id'], ondelete='SET NULL')

    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE engagement_events SET day = (CAST(created_at AS DATE) - DATE '0001-01-01') + 1")
    else:
        op.execute("UPDATE engagement_events SET day = CAST(julianday(date(created_at)) - 1721424.5 AS INTEGER)")
    weights = " ".join(f"WHEN '{kind}' THEN {milli}" for kind, milli in DEFAULT_WEIGHTS.items())
    op.execute(f"UPDATE engagement_events SET weight = CASE kind {weights} ELSE 0 END")
    op.execute("UPDATE engagement_events SET other_user_id = (SELECT author_id FROM posts WHERE posts.id = "
               "engagement_events.post_id) WHERE kind = 'like_given' AND post_id IS NOT NULL")
    op.execute("UPDATE engagement_events SET other_user_id = (SELECT author_id FROM comments WHERE comments.id = "
               "engagement_events.comment_id) WHERE kind = 'like_given' AND comment_id IS NOT NULL")
    op.execute("UPDATE engagement_events SET other_user_id = (SELECT author_id FROM ideas WHERE ideas.id = "
               "engagement_events.idea_id) WHERE kind = 'idea_vote'")
    op.execute("UPDATE engagement_events SET points = weight")
    op.execute("UPDATE engagement_events SET points = 0, limited = 'self' WHERE other_user_id = user_id "
               "AND kind IN ('like_given', 'idea_vote')")


def downgrade():
    with op.batch_alter_table('engagement_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_engagement_events_void_id_fan_voids'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_engagement_events_void_id'))
        batch_op.drop_index('ix_engagement_events_user_kind_day')
        batch_op.drop_index('ix_engagement_events_day')
        batch_op.drop_column('void_id')
        batch_op.drop_column('voided')
        batch_op.drop_column('limited')
        batch_op.drop_column('points')
        batch_op.drop_column('weight')
        batch_op.drop_column('day')

    with op.batch_alter_table('fan_selection_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fan_selection_members_user_id'))

    op.drop_table('fan_selection_members')
    with op.batch_alter_table('fan_voids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fan_voids_user_id'))

    op.drop_table('fan_voids')
    with op.batch_alter_table('fan_standings', schema=None) as batch_op:
        batch_op.drop_index('ix_fan_standings_score')
        batch_op.drop_index('ix_fan_standings_lifetime')

    op.drop_table('fan_standings')
    op.drop_table('fan_selections')
    with op.batch_alter_table('fan_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fan_notes_user_id'))

    op.drop_table('fan_notes')
    with op.batch_alter_table('fan_badges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fan_badges_user_id'))

    op.drop_table('fan_badges')
