"""The rules of mailplane, free of I/O: codes, validation, quota values, statuses."""
