"""WSGI entry point (``gunicorn demo_project.wsgi``).

WSGI rather than ASGI on purpose: the streaming view yields from a blocking iterator, which a WSGI server
sends as it is produced, whereas Django's ASGI handler has to consume a synchronous iterator in a thread and
warns about it.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")

application = get_wsgi_application()
