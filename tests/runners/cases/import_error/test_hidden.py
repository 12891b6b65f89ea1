import pytest
from solution import add, mul


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_add():
    assert add(2, 3) == 5


@pytest.mark.task(2)
def test_mul():
    assert mul(2, 3) == 6
