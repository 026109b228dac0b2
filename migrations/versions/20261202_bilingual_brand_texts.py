"""Brand texts in several languages: an `<x>_i18n` JSON column of translations beside each translatable text

Existing rows keep their text in the plain column, which is the site's default language; their
translations start empty. The site tagline's translations are a site_settings row ("tagline_i18n"), so
they need no column.

Revision ID: 7b1e2c4d9a10
Revises: 521f91ebb3a7
Create Date: 2026-12-02 02:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '7b1e2c4d9a10'
down_revision = '521f91ebb3a7'
branch_labels = None
depends_on = None

COLUMNS = {
    'boards': ('name_i18n', 'description_i18n'),
    'idea_categories': ('name_i18n',),
    'ideas': ('response_html_i18n',),
    'idea_events': ('explanation_i18n', 'explanation_html_i18n'),
    'posts': ('body_i18n', 'body_html_i18n'),
}


def upgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column)
