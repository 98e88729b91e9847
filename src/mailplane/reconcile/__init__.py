"""The worker that drives resources from "under way" to "ok"."""
