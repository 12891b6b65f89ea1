"""Hidden tests: a generated customer table checked against scikit-learn's preprocessing."""

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from solution import impute_missing, one_hot, standardize, stratified_split


def table(n=400, seed=1005):
    gen = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "income": gen.lognormal(10, 0.5, n),
            "age": gen.integers(18, 80, n).astype(float),
            "plan": gen.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]),
            "region": gen.choice(["north", "south", "east", "west"], n),
            "churn": gen.choice([0, 1, 2], n, p=[0.6, 0.3, 0.1]),
        }
    )
    for column, frac in [("income", 0.1), ("age", 0.05), ("plan", 0.08)]:
        df.loc[gen.random(n) < frac, column] = np.nan
    return df


@pytest.mark.points(2)
def test_impute_uses_median_and_mode_without_mutating():
    df = table()
    before = df.copy()
    out = impute_missing(df, ["income", "age"], ["plan"])
    pd.testing.assert_frame_equal(df, before)
    assert not out[["income", "age", "plan"]].isna().any().any()
    missing = df["income"].isna()
    assert (out.loc[missing, "income"] == df["income"].median()).all()
    assert (out.loc[df["plan"].isna(), "plan"] == "basic").all()
    pd.testing.assert_series_equal(out["region"], df["region"])


@pytest.mark.points(1)
def test_impute_mode_tie_takes_alphabetical_first():
    df = pd.DataFrame({"c": ["b", "a", "b", "a", None]})
    assert impute_missing(df, [], ["c"])["c"].iloc[4] == "a"


@pytest.mark.points(3)
def test_standardize_matches_standard_scaler():
    df = impute_missing(table(), ["income", "age"], ["plan"])
    train, other = df.iloc[:300], df.iloc[300:]
    scaled_train, scaled_other = standardize(train, other, ["income", "age"])
    scaler = StandardScaler().fit(train[["income", "age"]])
    np.testing.assert_allclose(scaled_train[["income", "age"]], scaler.transform(train[["income", "age"]]))
    np.testing.assert_allclose(scaled_other[["income", "age"]], scaler.transform(other[["income", "age"]]))
    assert scaled_other["plan"].tolist() == other["plan"].tolist()
    assert abs(scaled_other["income"].mean()) > 1e-6  # the test split is not centred on its own mean


@pytest.mark.points(1)
def test_standardize_constant_column():
    train = pd.DataFrame({"k": [5.0, 5.0, 5.0]})
    scaled, _ = standardize(train, train.copy(), ["k"])
    assert scaled["k"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.points(3)
def test_one_hot_matches_sklearn_with_unknowns():
    df = table()
    categories = {"plan": ["basic", "plus"], "region": ["east", "north", "south", "west"]}
    out = one_hot(df, ["plan", "region"], categories)
    names = [f"plan_{c}" for c in categories["plan"]] + [f"region_{c}" for c in categories["region"]]
    assert list(out.columns) == ["income", "age", "churn", *names]
    encoder = OneHotEncoder(
        categories=[categories["plan"], categories["region"]], handle_unknown="ignore", sparse_output=False
    )
    expected = encoder.fit_transform(df[["plan", "region"]].fillna("missing"))
    np.testing.assert_array_equal(out[names].to_numpy(), expected)
    assert all(pd.api.types.is_integer_dtype(out[name]) for name in names)


@pytest.mark.points(2)
def test_split_sizes_disjoint_and_complete():
    df = table()
    train, val, test = stratified_split(df, "churn", 0.15, 0.2, seed=3)
    assert abs(len(test) - 80) <= 1
    assert abs(len(val) - 60) <= 1
    indices = [*train.index, *val.index, *test.index]
    assert sorted(indices) == sorted(df.index)
    assert len(set(indices)) == len(df)


@pytest.mark.points(2)
def test_split_is_stratified():
    df = table()
    overall = df["churn"].value_counts(normalize=True)
    for part in stratified_split(df, "churn", seed=1):
        share = part["churn"].value_counts(normalize=True).reindex(overall.index, fill_value=0)
        assert (share - overall).abs().max() <= 0.03


@pytest.mark.points(1)
def test_split_is_reproducible():
    df = table()
    first = stratified_split(df, "churn", seed=7)
    second = stratified_split(df, "churn", seed=7)
    for a, b in zip(first, second, strict=True):
        assert list(a.index) == list(b.index)
