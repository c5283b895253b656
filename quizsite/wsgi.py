import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
application = get_wsgi_application()

# Load the scorer's dictionaries and compile the bank's rubrics now, so the first candidates
# after a start do not wait for them.
from interviews import services  # noqa: E402

services.warm_up()
