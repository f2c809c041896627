#!/usr/bin/env python
"""Django's command-line utility for the eliza_client example project."""

import os
import sys


def main() -> None:
    """Run a Django management command (``runserver``, ``check``, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - after the settings env var

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
