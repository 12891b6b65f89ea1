"""The curriculum as reviewed data files, and the code that loads, validates and syncs them."""
