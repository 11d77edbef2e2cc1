"""gunicorn configuration of ``casustafel serve`` (``--config python:casustafel.conf.gunicorn_config``).

No ``Server`` banner: gunicorn writes ``Server: gunicorn`` in front of every response's own
headers and has no setting to leave it out (setting ``gunicorn.SERVER`` to "" would still
send an empty ``Server:`` line). Loading this module in the master process, before it forks
its workers, drops that one line from the headers gunicorn adds itself; tests/test_project.py
checks the headers of the real ``casustafel serve``. A reverse proxy in front may add its own
banner: switch that off there (nginx ``server_tokens off``).

Only names that are gunicorn settings would configure gunicorn; this module defines none.
"""

from __future__ import annotations

import gunicorn.http.wsgi as _gunicorn_wsgi

_default_headers = _gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _default_headers_without_server
