"""Visible tests: a five-row frame."""

import numpy as np
import pandas as pd
from solution import impute_missing, one_hot


def small():
    return pd.DataFrame(
        {
            "age": [20.0, np.nan, 40.0, 30.0, np.nan],
            "city": ["paris", "rome", None, "rome", "oslo"],
        }
    )


def test_impute_small():
    out = impute_missing(small(), ["age"], ["city"])
    assert out["age"].tolist() == [20.0, 30.0, 40.0, 30.0, 30.0]
    assert out["city"].tolist() == ["paris", "rome", "rome", "rome", "oslo"]


def test_one_hot_small():
    out = one_hot(small().fillna({"city": "rome"}), ["city"], {"city": ["oslo", "paris", "rome"]})
    assert list(out.columns) == ["age", "city_oslo", "city_paris", "city_rome"]
    assert out["city_rome"].tolist() == [0, 1, 1, 1, 0]
