"""The WSGI entry point (gunicorn thrive.config.wsgi:application). Production settings unless
DJANGO_SETTINGS_MODULE says otherwise: they refuse to load without the environment they need."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.production")
application = get_wsgi_application()
