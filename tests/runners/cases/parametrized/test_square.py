import pytest
from solution import square


@pytest.mark.parametrize("x", [1, 2, 3])
def test_square(x):
    assert square(x) == x**2


@pytest.mark.parametrize(("x", "label"), [(0, "zero/none"), (-2, "neg")], ids=["zero/none", "neg"])
def test_square_named(x, label):
    assert square(x) == x**2
