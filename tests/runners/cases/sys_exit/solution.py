import sys


def add(a, b):
    sys.exit(3)


def mul(a, b):
    return a * b
