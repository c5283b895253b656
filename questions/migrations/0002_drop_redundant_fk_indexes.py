"""Drop the foreign keys' own indexes where another index of the table begins with the same
column (tests/site/test_schema.py).

Only the indexes are dropped: AlterField would also drop and re-add each foreign key (checking
every row again) and drops a partial unique index on the same column with it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='choice',
                    name='variant',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='choices', to='questions.variant'),
                ),
                migrations.AlterField(
                    model_name='keypoint',
                    name='question',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='key_points', to='questions.question'),
                ),
                migrations.AlterField(
                    model_name='questionversion',
                    name='question',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='questions.question'),
                ),
                migrations.AlterField(
                    model_name='variant',
                    name='question',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='variants', to='questions.question'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "DROP INDEX IF EXISTS questions_choice_variant_id_73e2ca91;",
                        "DROP INDEX IF EXISTS questions_keypoint_question_id_29e7aa5f;",
                        "DROP INDEX IF EXISTS questions_questionversion_question_id_bef4a39d;",
                        "DROP INDEX IF EXISTS questions_variant_question_id_12fbdc98;",
                    ],
                    reverse_sql=[
                        "CREATE INDEX IF NOT EXISTS questions_choice_variant_id_73e2ca91 ON questions_choice (variant_id);",
                        "CREATE INDEX IF NOT EXISTS questions_keypoint_question_id_29e7aa5f ON questions_keypoint (question_id);",
                        "CREATE INDEX IF NOT EXISTS questions_questionversion_question_id_bef4a39d ON questions_questionversion (question_id);",
                        "CREATE INDEX IF NOT EXISTS questions_variant_question_id_12fbdc98 ON questions_variant (question_id);",
                    ],
                ),
            ],
        ),
    ]
