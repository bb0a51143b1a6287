"""The web UI (``pgflow ui``): pages over pgflow's tables, live run pages, retry and cancel."""

from .server import App, Request, Response, Running, resolve_token, start

__all__ = ["App", "Request", "Response", "Running", "resolve_token", "start"]
