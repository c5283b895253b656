"""Drop the foreign keys' own indexes where another index of the table begins with the same
column (tests/site/test_schema.py).

Only the indexes are dropped: AlterField would also drop and re-add each foreign key (checking
every row again) and drops a partial unique index on the same column with it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='interview',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='interviews', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='response',
                    name='interview',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='interviews.interview'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "DROP INDEX IF EXISTS interviews_interview_user_id_ea827fdf;",
                        "DROP INDEX IF EXISTS interviews_response_interview_id_01980086;",
                    ],
                    reverse_sql=[
                        "CREATE INDEX IF NOT EXISTS interviews_interview_user_id_ea827fdf ON interviews_interview (user_id);",
                        "CREATE INDEX IF NOT EXISTS interviews_response_interview_id_01980086 ON interviews_response (interview_id);",
                    ],
                ),
            ],
        ),
    ]
