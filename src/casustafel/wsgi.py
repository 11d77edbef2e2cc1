"""WSGI application (gunicorn) for `casustafel serve` and for a WSGI server of your own."""

import os

from django.core.wsgi import get_wsgi_application

from casustafel.conf.database import ensure_database

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casustafel.conf.settings")
# Serving needs the database. Under `casustafel serve` the URLs are already exported and
# this does nothing; a WSGI server started on its own starts the embedded one here.
ensure_database()
application = get_wsgi_application()
