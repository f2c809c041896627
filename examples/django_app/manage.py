#!/usr/bin/env python
"""Django's command-line utility for the eliza_client example project."""

import os
import sys


def main() -> None:
    """Run a Django management command (``runserver``, ``check``, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")
    # Imported after the settings variable is set: Django reads it on import.
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
