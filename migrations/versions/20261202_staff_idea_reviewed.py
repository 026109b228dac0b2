"""When staff last reviewed an idea: the staff home's "new ideas" and "new votes since the review"

Existing ideas that staff already acted on (a status change or an official response) count as
reviewed at that moment; ideas staff only estimated (impact or effort set, which keeps no date)
count as reviewed since they were posted; the others start unreviewed.

Revision ID: 3c5d7e9f1a2b
Revises: c4a7d2e91f30
Create Date: 2026-12-02 02:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '3c5d7e9f1a2b'
down_revision = 'c4a7d2e91f30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE ideas SET reviewed_at = CASE WHEN response_at IS NOT NULL AND "
               "(status_changed_at IS NULL OR response_at > status_changed_at) THEN response_at ELSE status_changed_at END")
    op.execute("UPDATE ideas SET reviewed_at = COALESCE(status_changed_at, response_at, created_at) "
               "WHERE reviewed_at IS NULL AND (impact IS NOT NULL OR effort IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('reviewed_at')
