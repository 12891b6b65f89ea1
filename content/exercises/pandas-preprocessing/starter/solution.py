"""Table preprocessing with pandas: fill in each function."""

import pandas as pd


def impute_missing(df: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """Fill numeric columns with their median and categorical ones with their mode; return a copy."""
    return df.fillna(0)  # zeros distort the distribution and break categorical columns


def standardize(
    train: pd.DataFrame, other: pd.DataFrame, columns: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scale ``columns`` of both frames with the training mean and population std."""
    raise NotImplementedError


def one_hot(df: pd.DataFrame, columns: list[str], categories: dict[str, list[str]]) -> pd.DataFrame:
    """Replace each column in ``columns`` with int indicator columns ``f"{col}_{category}"``."""
    raise NotImplementedError


def stratified_split(
    df: pd.DataFrame, target: str, val_frac: float = 0.15, test_frac: float = 0.15, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train / validation / test frames that keep the class proportions of ``target``."""
    raise NotImplementedError
