"""Hand-written SQL for the hottest statements: prepared once per connection, read into model
instances without the ORM's per-query setup.

- ``prepared_cursor()``: a cursor with server-side parameter binding, so Postgres parses and
  plans each statement once per connection (psycopg prepares a statement on its fifth run,
  ``prepare_threshold`` in settings.DATABASES) instead of on every run. Django's own cursors
  bind parameters on the client and are never prepared. Measured on an answer's four
  statements: Postgres's CPU per answer about halves.
- ``fetch()``: ``Model.objects.raw()`` works out, on every query, which column feeds which
  field and which converters each value needs (about 0.3 ms for an interview's five responses,
  more than reading them). Here that is worked out once per model and column list, and each
  row becomes an instance with the state ``Model.from_db`` gives it, its values set directly
  rather than through ``Model.__init__`` (which is used where init signals have receivers).
- ``columns()``: the model's columns, to name in a prepared SELECT: a prepared ``SELECT *``
  fails once a migration adds a column ("cached plan must not change result type").
- ``assignments()``, ``db_values()``, ``insert()``, ``db_arrays()``, ``unnest_insert()``: the
  other way, model values into hand-written writes, as the database takes them (what
  ``save()`` and ``bulk_create()`` send). Each value is prepared against the connection object
  itself: through the ``django.db.connection`` proxy every attribute the field reads costs a
  context-local lookup, which was a fifth of an interview finish's Python time.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


def columns(model, table: str = "") -> str:
    """The model's concrete columns, comma-separated, for a SELECT list; each qualified by
    ``table`` (an alias) when given."""
    prefix = f"{table}." if table else ""
    return ", ".join(f"{prefix}{field.column}" for field in model._meta.concrete_fields)


def prepared_cursor():
    """A cursor of the default connection, wrapped (logged, errors translated) as Django wraps
    its own, whose statements are bound on the server and so prepared after a few runs."""
    # What BaseDatabaseWrapper._cursor() does, with a server-binding cursor of this connection.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


@lru_cache(maxsize=64)
def _plan(model, names: tuple[str, ...]):
    """For a result's columns: where each concrete field's value is, and its converters."""
    fields = model._meta.concrete_fields
    position = {name: index for index, name in enumerate(names)}
    missing = [field.column for field in fields if field.column not in position]
    if missing:
        raise ValueError(f"{model.__name__} rows lack the columns {', '.join(missing)}")
    order = tuple(position[field.column] for field in fields)
    attnames = tuple(field.attname for field in fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = column.get_db_converters(connection)
        if found:
            converters.append((index, column, tuple(found)))
    return order, tuple(converters), attnames


# The plans of each statement run by fetch() and fetch_pairs(), by (sql, models): the statement
# names its columns, so its text decides them; psycopg builds a column object per column each
# time a cursor's description is read (a tenth of an answer's row reading).
_statement_plans: dict[tuple, tuple] = {}


def _plans(cursor, sql: str, models: tuple) -> tuple:
    """The executed statement's plan per model: one model's columns anywhere in the result, or
    several models' columns one after the other."""
    key = (sql, *models)
    plans = _statement_plans.get(key)
    if plans is None:
        names = tuple(column.name for column in cursor.description)
        if len(models) == 1:
            plans = (_plan(models[0], names),)
        else:
            plans, start = [], 0
            for model in models:
                end = start + len(model._meta.concrete_fields)
                plans.append(_plan(model, names[start:end]))
                start = end
            plans = tuple(plans)
        _statement_plans[key] = plans
    return plans


def _build(model, plan, row, db):
    order, converters, attnames = plan
    values = [row[index] for index in order]
    for index, column, functions in converters:
        value = values[index]
        for function in functions:
            value = function(value, column, db)
        values[index] = value
    return loaded(model, attnames, values, db.alias)


def loaded(model, attnames: tuple[str, ...], values, alias: str = DEFAULT_DB_ALIAS):
    """An instance of model as ``Model.from_db(alias, attnames, values)`` gives it: the
    attnames of the fields loaded, in the model's field order (every concrete field, or some,
    the others then deferred), and their values as Python has them (converted)."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        if len(attnames) == len(model._meta.concrete_fields):
            attnames = None  # from_db's positional form, the fields in their order
        return model.from_db(alias, attnames, values)
    # What Model.from_db() leaves, without Model.__init__'s pass over the fields (a fifth of
    # reading an interview's rows): every field's value in the instance's __dict__, where
    # __init__'s setattr() puts it (a foreign key's descriptor only clears a cached object,
    # and a new instance has none), and the state of a row loaded from `alias`.
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding = False
    state.db = alias
    instance.__dict__.update(zip(attnames, values, strict=True))
    return instance


def fetch(model, sql: str, params) -> list:
    """Run sql (one statement, prepared) and return its rows as instances of model; the result
    must have a column for every concrete field (``columns(model)``)."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        (plan,) = _plans(cursor, sql, (model,))
        db = db_connection()
        return [_build(model, plan, row, db) for row in cursor.fetchall()]


def fetch_pairs(model, joined, sql: str, params) -> list[tuple]:
    """Run sql (one statement, prepared) whose rows are model's columns (``columns(model)``)
    then joined's (all NULL when an outer join found none): (model instance, joined instance
    or None) per row."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        first, second = _plans(cursor, sql, (model, joined))
        split = len(model._meta.concrete_fields)
        db = db_connection()
        return [
            (
                _build(model, first, row[:split], db),
                None if row[split] is None else _build(joined, second, row[split:], db),
            )
            for row in cursor.fetchall()
        ]


def fetch_with_many(model, related, sql: str, params) -> tuple:
    """Run sql (one statement, prepared) whose rows are one model row's columns
    (``columns(model)``, the same on every row: a join) then one related row's each: (the model
    instance, built once, or None when there are no rows; the related instances)."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        first, second = _plans(cursor, sql, (model, related))
        found = cursor.fetchall()
    if not found:
        return None, []
    split = len(model._meta.concrete_fields)
    db = db_connection()
    return (
        _build(model, first, found[0][:split], db),
        [_build(related, second, row[split:], db) for row in found],
    )


def execute(sql: str, params) -> list[tuple]:
    """Run sql (one statement, prepared) and return its rows, if it returns any."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        # rownumber is None when the statement returned no rows (cheaper than its description).
        return cursor.fetchall() if cursor.rownumber is not None else []


def db_connection():
    """The default connection object itself (not the proxy): this thread's, as the proxy's."""
    return connections[DEFAULT_DB_ALIAS]


@lru_cache(maxsize=256)
def fields(model, names: tuple[str, ...] | None = None) -> tuple:
    """The named fields of model, or (None) every concrete field but the primary key."""
    if names is None:
        return tuple(field for field in model._meta.concrete_fields if not field.primary_key)
    return tuple(model._meta.get_field(name) for name in names)


@lru_cache(maxsize=256)
def sql_type(field) -> str:
    """The field's column type, for a cast (``%s::numeric(5, 4)``)."""
    return field.db_type(db_connection())


def assignments(model, names: tuple[str, ...]) -> str:
    """``col = %(attname)s, ...`` for the named fields: a SET list to fill from db_values()."""
    return ", ".join(f"{field.column} = %({field.attname})s" for field in fields(model, names))


def db_values(instance, names: tuple[str, ...] | None = None) -> dict:
    """The named fields' values (every concrete field but the primary key by default) as the
    database takes them, by attname (what ``save(update_fields=...)`` writes; it would also
    send model signals)."""
    db = db_connection()
    return {
        field.attname: field.get_db_prep_save(getattr(instance, field.attname), db)
        for field in fields(type(instance), names)
    }


def db_arrays(model, instances) -> list[list]:
    """For every concrete field but the primary key (``fields(model)``), in that order, the
    list of the instances' values as the database takes them: the arrays of unnest_insert()."""
    db = db_connection()
    return [
        [field.get_db_prep_save(getattr(instance, field.attname), db) for instance in instances]
        for field in fields(model)
    ]


@lru_cache(maxsize=64)
def insert(model) -> str:
    """``INSERT INTO table (columns) VALUES (%(attname)s::type, ...)`` of every concrete field
    but the primary key: one row, filled from db_values(). For a single row it costs less than
    unnest_insert(), whose arrays psycopg inspects element by element."""
    columns = fields(model)
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(f.column for f in columns)})"
        f" VALUES ({', '.join(f'%({f.attname})s::{sql_type(f)}' for f in columns)})"
    )


@lru_cache(maxsize=64)
def unnest_insert(model, conflict: tuple[str, ...] = (), update: str = "") -> str:
    """``INSERT INTO table AS t (columns) SELECT * FROM unnest(%s::type[], ...)`` of every
    concrete field but the primary key, filled from db_arrays(): any number of rows in one
    statement whose text does not depend on how many (so it is prepared once). With
    ``conflict`` (column names) and ``update`` (a SET list, where ``t`` is the stored row and
    ``EXCLUDED`` the new one): ``ON CONFLICT (conflict) DO UPDATE SET update``."""
    columns = fields(model)
    sql = (
        f"INSERT INTO {model._meta.db_table} AS t ({', '.join(f.column for f in columns)})"
        f" SELECT * FROM unnest({', '.join(f'%s::{sql_type(f)}[]' for f in columns)})"
    )
    if conflict:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {update}"
    return sql
