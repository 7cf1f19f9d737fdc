"""WSGI entry used only by bench/pages.py: the platform's settings with bench/_urls.py as URLconf.

gunicorn loads it with `--pythonpath bench _wsgi:application`; src/ stays untouched.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhigai.config.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

settings.ROOT_URLCONF = "_urls"
application = get_wsgi_application()
