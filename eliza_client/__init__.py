"""eliza_client: a synchronous Python client for the elizaOS Sessions API."""
