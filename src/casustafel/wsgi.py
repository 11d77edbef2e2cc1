"""WSGI application (gunicorn) for `casustafel serve` and for a WSGI server of your own."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from casustafel.conf.database import ensure_database

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casustafel.conf.settings")
# Serving needs the database. Under `casustafel serve` the URLs are already exported and
# this does nothing; a WSGI server started on its own starts the embedded one here.
ensure_database()
application = get_wsgi_application()


def _without_processing_log() -> None:
    """Benchmarks only (``CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG``, which the settings refuse
    outside a throw-away test database of the embedded server): ``record`` and
    ``record_by_purpose`` write nothing, so bench/load.py can measure what logging a page costs.
    Modules imported later take the replacement from ``processing_log.services``; those already
    imported get it in place."""
    from casustafel.processing_log import services  # noqa: PLC0415 - only when switched on

    for name in ("record", "record_by_purpose"):
        original = getattr(services, name)

        def nothing(*args, **kwargs) -> int:
            return 0

        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("casustafel.") and getattr(module, name, None) is original:
                setattr(module, name, nothing)


from django.conf import settings  # noqa: E402

if settings.CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG:
    _without_processing_log()
