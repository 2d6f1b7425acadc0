"""The settings of the page benchmark's servers and measuring processes: production's (DEBUG off),
reachable over plain HTTP on this machine, with static files named without collectstatic's manifest.

The pages are measured, not their static files (the driver fetches only the HTML), so the plain
storage changes nothing it measures; it spares a collectstatic run into the checkout.
"""

import os

# Read by config.settings at import: production refuses to start without them.
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

from config.settings import *  # noqa: E402, F403
from config.settings import STORAGES  # noqa: E402

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STATIC_ROOT = None  # WhiteNoise serves nothing collected (and does not warn that nothing is)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
