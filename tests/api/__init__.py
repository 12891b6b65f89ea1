"""HTTP-level tests of the API."""
