"""A small chat API over the elizaOS Sessions API, using one shared ``eliza_client.ElizaClient``."""
