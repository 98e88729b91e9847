"""The status model of spec §1.4."""

from __future__ import annotations

from typing import Final

OWNERSHIP_CHECK: Final = "ownership_check"
ENABLED: Final = "enabled"
DISABLED: Final = "disabled"

OK: Final = "ok"
WAITING_OWNERSHIP: Final = "waiting_ownership"
ACTIVATING: Final = "activating"
CREATING: Final = "creating"
UPDATING: Final = "updating"
DELETING: Final = "deleting"
MX_ERROR: Final = "mx_error"
ERROR: Final = "error"

STATUSES: Final = (OWNERSHIP_CHECK, ENABLED, DISABLED)
SETTABLE_STATUSES: Final = (ENABLED, DISABLED)
DETAILS: Final = (OK, WAITING_OWNERSHIP, ACTIVATING, CREATING, UPDATING, DELETING, MX_ERROR, ERROR)
