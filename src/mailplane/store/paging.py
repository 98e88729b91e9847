"""One page of a query, as the list routes answer it (spec §1.3)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mailplane.model.listing import ListQuery

T = TypeVar("T")


def page_of(
    session: Session, query: Select[Any], model: type[T], q: ListQuery
) -> tuple[list[T], int]:
    """The rows of page ``q.page`` sorted by ``q.sort_field`` (then id), and the total count."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = getattr(model, q.sort_field or "id")
    order = column.desc() if q.sort == "desc" else column.asc()
    rows = session.scalars(
        query.order_by(order, model.id).offset(q.offset).limit(q.per)  # type: ignore[attr-defined]
    )
    return list(rows), int(total)
