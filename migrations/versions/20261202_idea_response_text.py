"""The official response's text as staff wrote it (`response`, with its translations in `response_i18n`), beside
its HTML, so that the response form starts with the current response

Existing responses keep their HTML and start without their text: the idea page falls back to the text of the
status explanation the response was pinned from, when it was one.

Revision ID: 9d2f4b6a8c1e
Revises: 3c5d7e9f1a2b
Create Date: 2026-12-02 03:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '9d2f4b6a8c1e'
down_revision = '3c5d7e9f1a2b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('response_i18n', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('response_i18n')
        batch_op.drop_column('response')
