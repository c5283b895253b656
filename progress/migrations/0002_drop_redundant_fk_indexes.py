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
        ('progress', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='card',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='flashcardreview',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='missedpoint',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='topicquestionstat',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='topicstat',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='topic_stats', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='weeklyscore',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='weekly_scores', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='weeklytopicscore',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='weekly_topic_scores', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "DROP INDEX IF EXISTS progress_card_user_id_62f189c1;",
                        "DROP INDEX IF EXISTS progress_flashcardreview_user_id_e7e80954;",
                        "DROP INDEX IF EXISTS progress_missedpoint_user_id_92dccee1;",
                        "DROP INDEX IF EXISTS progress_topicquestionstat_user_id_2f229241;",
                        "DROP INDEX IF EXISTS progress_topicstat_user_id_afa910db;",
                        "DROP INDEX IF EXISTS progress_weeklyscore_user_id_b26de5d8;",
                        "DROP INDEX IF EXISTS progress_weeklytopicscore_user_id_f9b958c0;",
                    ],
                    reverse_sql=[
                        "CREATE INDEX IF NOT EXISTS progress_card_user_id_62f189c1 ON progress_card (user_id);",
                        "CREATE INDEX IF NOT EXISTS progress_flashcardreview_user_id_e7e80954 ON progress_flashcardreview (user_id);",
                        "CREATE INDEX IF NOT EXISTS progress_missedpoint_user_id_92dccee1 ON progress_missedpoint (user_id);",
                        "CREATE INDEX IF NOT EXISTS progress_topicquestionstat_user_id_2f229241 ON progress_topicquestionstat (user_id);",
                        "CREATE INDEX IF NOT EXISTS progress_topicstat_user_id_afa910db ON progress_topicstat (user_id);",
                        "CREATE INDEX IF NOT EXISTS progress_weeklyscore_user_id_b26de5d8 ON progress_weeklyscore (user_id);",
                        "CREATE INDEX IF NOT EXISTS progress_weeklytopicscore_user_id_f9b958c0 ON progress_weeklytopicscore (user_id);",
                    ],
                ),
            ],
        ),
    ]
