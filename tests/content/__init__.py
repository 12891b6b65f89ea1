"""Tests of the curriculum files, their loader and content sync."""
