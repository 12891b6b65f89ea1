import numpy_but_misspelled


def add(a, b):
    return a + b
