"""The web pages: thin views over the same services and queries as the API."""
