"""Runner sandbox tests."""
