"""The schema keeps no index that another index of the same table already serves."""

import pytest
from django.apps import apps
from django.db import connection

OWN_APPS = ("accounts", "interviews", "progress", "questions", "teams")


@pytest.mark.django_db
def test_no_index_repeats_the_leading_columns_of_another():
    """A plain index on the columns another index of its table begins with (with the same
    operator classes) serves no lookup the longer one does not, and costs every insert and
    space: at 10,000,000 answers the foreign keys' automatic indexes beside unique constraints
    that begin with the same column took about 350 MB. Our own models' tables; Django's
    many-to-many tables are its own."""
    tables = [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in OWN_APPS and not model._meta.auto_created
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
              FROM pg_index a
              JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
             WHERE a.indrelid::regclass::text = ANY(%s)
               AND NOT a.indisunique AND a.indpred IS NULL AND a.indexprs IS NULL
               AND b.indpred IS NULL AND b.indexprs IS NULL
               AND (b.indkey::text = a.indkey::text
                    OR b.indkey::text LIKE a.indkey::text || ' %%')
               AND (b.indclass::text = a.indclass::text
                    OR b.indclass::text LIKE a.indclass::text || ' %%')
             ORDER BY 1, 2
            """,
            [tables],
        )
        redundant = cursor.fetchall()
    assert redundant == []
