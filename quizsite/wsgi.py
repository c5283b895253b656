import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
application = get_wsgi_application()

# Load the scorer's dictionaries now, so the first candidate does not wait for them.
from interviews import scoring  # noqa: E402

scoring.warm_up()
