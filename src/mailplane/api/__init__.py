"""The HTTP API: a thin layer that translates requests to service calls and back."""
