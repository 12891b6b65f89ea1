def add(a, b):
    return 0


def mul(a, b):
    raise NotImplementedError("write mul")
