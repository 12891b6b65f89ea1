"""Table preprocessing with pandas (reference solution)."""

import pandas as pd
from sklearn.model_selection import train_test_split


def impute_missing(df: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """Fill numeric columns with their median and categorical ones with their mode; return a copy."""
    out = df.copy()
    for column in numeric:
        out[column] = out[column].fillna(out[column].median())
    for column in categorical:
        out[column] = out[column].fillna(out[column].mode().iloc[0])
    return out


def standardize(
    train: pd.DataFrame, other: pd.DataFrame, columns: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scale ``columns`` of both frames with the training mean and population std."""
    mean = train[columns].mean()
    std = train[columns].std(ddof=0).replace(0.0, 1.0)
    scaled_train, scaled_other = train.copy(), other.copy()
    scaled_train[columns] = (train[columns] - mean) / std
    scaled_other[columns] = (other[columns] - mean) / std
    return scaled_train, scaled_other


def one_hot(df: pd.DataFrame, columns: list[str], categories: dict[str, list[str]]) -> pd.DataFrame:
    """Replace each column in ``columns`` with int indicator columns ``f"{col}_{category}"``."""
    out = df.drop(columns=columns)
    for column in columns:
        for category in categories[column]:
            out[f"{column}_{category}"] = (df[column] == category).astype(int)
    return out


def stratified_split(
    df: pd.DataFrame, target: str, val_frac: float = 0.15, test_frac: float = 0.15, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train / validation / test frames that keep the class proportions of ``target``."""
    n = len(df)
    rest, test = train_test_split(df, test_size=round(n * test_frac), stratify=df[target], random_state=seed)
    train, val = train_test_split(
        rest, test_size=round(n * val_frac), stratify=rest[target], random_state=seed
    )
    return train, val, test
