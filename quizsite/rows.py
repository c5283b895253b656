"""Model instances from rows of hand-written SQL, for the hottest reads.

``Model.objects.raw()`` works out, on every query, which column feeds which field and which
converters each value needs (about 0.3 ms for an interview's five responses, more than reading
them). Here that is worked out once per model and column list, and each row becomes an instance
through ``Model.from_db``, as the ORM builds them: the same values, the same state.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection


@lru_cache(maxsize=64)
def _plan(model, columns: tuple[str, ...]):
    """For a result's columns: where each concrete field's value is, and its converters."""
    fields = model._meta.concrete_fields
    position = {name: index for index, name in enumerate(columns)}
    missing = [field.column for field in fields if field.column not in position]
    if missing:
        raise ValueError(f"{model.__name__} rows lack the columns {', '.join(missing)}")
    order = tuple(position[field.column] for field in fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = column.get_db_converters(connection)
        if found:
            converters.append((index, column, tuple(found)))
    return order, tuple(converters)


def instances(model, cursor) -> list:
    """The rows left in the executed cursor, each as an instance of model; the result must
    have a column for every concrete field (``SELECT *`` of the model's table does)."""
    order, converters = _plan(model, tuple(column.name for column in cursor.description))
    alias = connection.alias
    built = []
    for row in cursor.fetchall():
        values = [row[index] for index in order]
        for index, column, functions in converters:
            value = values[index]
            for function in functions:
                value = function(value, column, connection)
            values[index] = value
        built.append(model.from_db(alias, None, values))
    return built


def fetch(model, sql: str, params) -> list:
    """Run sql (one statement) and return its rows as instances of model."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return instances(model, cursor)
