"""The example Django project: settings, root URLconf and WSGI entry point."""
