"""A hot-path read: a statement compiled once per dialect, run on a raw pooled connection.

SQLAlchemy builds the statement (the single source of truth for the SQL); what is skipped per
call is the ORM/Core execution machinery (cache-key generation, result processing), which costs
more than the query itself for a one-row lookup in SQLite. Values come back as the driver gives
them, converted here by the selected columns' types: SQLite's text timestamps and JSON are
parsed, its integers made booleans.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Engine, Select
from sqlalchemy.sql.compiler import SQLCompiler


def _to_datetime(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _to_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _to_bool(value: Any) -> Any:
    return bool(value) if value is not None else None


def _converter(column_type: Any) -> Callable[[Any], Any] | None:
    if isinstance(column_type, DateTime):
        return _to_datetime
    if isinstance(column_type, JSON):
        return _to_json
    if isinstance(column_type, Boolean):
        return _to_bool
    return None


class FastRead:
    """One SELECT, compiled lazily once per dialect and reused."""

    def __init__(self, statement: Select[Any]) -> None:
        self._statement = statement
        self._compiled: dict[str, SQLCompiler] = {}  # by dialect
        columns = list(statement.selected_columns)
        self._names = [str(column.key) for column in columns]
        # only the columns that need it: (position, converter)
        self._convert = [
            (i, convert)
            for i, column in enumerate(columns)
            if (convert := _converter(column.type)) is not None
        ]

    def _compile(self, engine: Engine) -> SQLCompiler:
        compiled = self._compiled.get(engine.dialect.name)
        if compiled is None:
            built = self._statement.compile(dialect=engine.dialect)
            assert isinstance(built, SQLCompiler)
            compiled = self._compiled[engine.dialect.name] = built
        return compiled

    def first(self, engine: Engine, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as a dict keyed by column label, or None."""
        compiled = self._compile(engine)
        bound = compiled.construct_params(dict(params)) or {}
        positions = compiled.positiontup
        args: Any = tuple(bound[name] for name in positions) if positions else bound
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(compiled.string, args)
                row = cursor.fetchone()
            finally:
                cursor.close()
        finally:
            raw.close()  # back to the pool, which resets it
        if row is None:
            return None
        values = list(row)
        for i, convert in self._convert:
            values[i] = convert(values[i])
        return dict(zip(self._names, values, strict=True))
