"""Settings of the example project. Everything deployment-specific comes from environment variables.

The ``ELIZA_*`` settings configure the one shared :class:`eliza_client.ElizaClient` (see
``eliza_chat/client.py``); they are read when the client is first used, so ``override_settings`` in tests
takes effect (the client is rebuilt when one of them changes).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_float(name: str, default: float | None) -> float | None:
    # "none" lets an operator switch a limit off from the environment (e.g. no overall deadline).
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return None if raw.lower() == "none" else float(raw)


# --- Django -----------------------------------------------------------------------------------------------
# A throwaway key is fine for the example; a real deployment must set DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-eliza-client-example-only")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",") if h]

INSTALLED_APPS = ["eliza_chat.apps.ElizaChatConfig"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The JSON API is called by the page's JavaScript with the CSRF token header, so CSRF stays on.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo_project.urls"
WSGI_APPLICATION = "demo_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

# No models: the conversation lives on the elizaOS server, so the example needs no database.
DATABASES: dict[str, dict[str, str]] = {}

USE_TZ = True
TIME_ZONE = "UTC"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"eliza_chat": {"handlers": ["console"], "level": os.environ.get("ELIZA_CHAT_LOG_LEVEL", "INFO")}},
}

# --- the elizaOS Sessions API ----------------------------------------------------------------------------
ELIZA_BASE_URL = os.environ.get("ELIZA_BASE_URL", "http://localhost:3000")
# None when unset: the local test server needs no key. Never logged or shown (the client scrubs it too).
ELIZA_API_KEY = os.environ.get("ELIZA_API_KEY") or None
# The agent sessions are opened with when the request names none.
ELIZA_AGENT_ID = os.environ.get("ELIZA_AGENT_ID") or None
# Seconds. A web worker is blocked while it waits, so these bound how long one request can hold a worker.
ELIZA_CONNECT_TIMEOUT = _env_float("ELIZA_CONNECT_TIMEOUT", 3.0)
ELIZA_READ_TIMEOUT = _env_float("ELIZA_READ_TIMEOUT", 15.0)
# Overall deadline of one call across its retries and backoff sleeps (None = only the per-attempt timeouts).
# It bounds sends too, so keep it above ELIZA_REPLY_TIMEOUT.
ELIZA_TOTAL_TIMEOUT = _env_float("ELIZA_TOTAL_TIMEOUT", 90.0)
# Read timeout of send_and_wait / stream, which wait for the agent's model before the first byte.
ELIZA_REPLY_TIMEOUT = _env_float("ELIZA_REPLY_TIMEOUT", 60.0)
ELIZA_MAX_RETRIES = int(os.environ.get("ELIZA_MAX_RETRIES", "2"))
