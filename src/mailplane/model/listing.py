"""List parameters of spec §1.3: page, per, query, status, sort_field, sort."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mailplane.model.errors import FieldError, ValidationFailed
from mailplane.model.status import STATUSES

PER_DEFAULT = 25
PER_MAX = 1000
PAGE_MAX = 2**31 - 1  # keeps the row offset within the databases' integers


@dataclass(frozen=True)
class ListQuery:
    page: int = 1
    per: int = PER_DEFAULT
    query: str | None = None
    filter: str | None = None
    status: str | None = None
    sort_field: str | None = None
    sort: str | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per

    def pagination(self, total_records: int) -> dict[str, Any]:
        """The ``pagination`` object, keys in the spec's order."""
        return {
            "per": self.per,
            "page": self.page,
            "total_pages": (total_records + self.per - 1) // self.per,
            "query": self.query,
            "filter": self.filter,
            "status": self.status,
            "sort_field": self.sort_field,
            "sort": self.sort,
            "total_records": total_records,
        }


def _positive_int(
    params: Mapping[str, str], name: str, default: int, errors: list[FieldError]
) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append(FieldError(name, "must be an integer"))
        return default
    if value < 1:
        errors.append(FieldError(name, "must be greater than or equal to 1"))
        return default
    return value


def parse_list_query(params: Mapping[str, str], sort_fields: tuple[str, ...]) -> ListQuery:
    errors: list[FieldError] = []
    page = _positive_int(params, "page", 1, errors)
    if page > PAGE_MAX:
        errors.append(FieldError("page", f"must be less than or equal to {PAGE_MAX}"))
    per = _positive_int(params, "per", PER_DEFAULT, errors)
    if per > PER_MAX:
        errors.append(FieldError("per", f"must be less than or equal to {PER_MAX}"))
    status = params.get("status") or None
    if status is not None and status not in STATUSES:
        errors.append(FieldError("status", "is not included in the list"))
    sort_field = params.get("sort_field") or None
    if sort_field is not None and sort_field not in sort_fields:
        errors.append(FieldError("sort_field", "is not included in the list"))
    sort = params.get("sort") or None
    if sort is not None and sort not in ("asc", "desc"):
        errors.append(FieldError("sort", "is not included in the list"))
    for name in ("query", "filter"):
        if "\x00" in params.get(name, ""):
            errors.append(FieldError(name, "is invalid"))
    if errors:
        raise ValidationFailed(errors)
    return ListQuery(
        page=page,
        per=per,
        query=params.get("query") or None,
        filter=params.get("filter") or None,
        status=status,
        sort_field=sort_field,
        sort=sort,
    )
