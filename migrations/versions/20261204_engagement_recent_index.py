"""Members' points read from the indexes alone: the (member, time) and (member, kind, day) indexes of engagement
events also hold the columns their readers sum, so the staff fans view (a top fan's last 30 days) and My engagement
(a member's ledger by kind and day) read no row behind them: at 1,000,000 events, 130 to 21 ms and 39 to 23 ms

Revision ID: 5a9c3e7b1d24
Revises: e4617e8890ed
Create Date: 2026-12-04 18:50:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5a9c3e7b1d24'
down_revision = 'e4617e8890ed'
branch_labels = None
depends_on = None

RECENT = ['user_id', 'created_at', 'day', 'points', 'voided']
LEDGER = ['user_id', 'kind', 'day', 'points', 'weight', 'limited', 'voided']


def upgrade():
    with op.batch_alter_table('engagement_events', schema=None) as batch_op:
        batch_op.create_index('ix_engagement_events_user_recent', RECENT, unique=False)
        batch_op.create_index('ix_engagement_events_user_ledger', LEDGER, unique=False)
        batch_op.drop_index('ix_engagement_events_user_created')
        batch_op.drop_index('ix_engagement_events_user_kind_day')


def downgrade():
    with op.batch_alter_table('engagement_events', schema=None) as batch_op:
        batch_op.create_index('ix_engagement_events_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_engagement_events_user_kind_day', ['user_id', 'kind', 'day'], unique=False)
        batch_op.drop_index('ix_engagement_events_user_recent')
        batch_op.drop_index('ix_engagement_events_user_ledger')
