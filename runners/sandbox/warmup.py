"""Single-threaded warm-up of the ML stack in the zygote, so forked jobs do not re-pay lazy imports."""

from __future__ import annotations

import gc
import io
import os
import shutil
import sys
import tempfile
from typing import Any

import pytest

from ..harness.events import EventWriter
from ..harness.plugin import ResultsPlugin

_WARM_TEST = """
import numpy as np
import pytest
import torch


@pytest.mark.parametrize("n", [1, 2])
def test_warm(n, capsys):
    print("warm")
    torch.testing.assert_close(torch.ones(n), torch.ones(n))
    assert np.allclose(np.ones(n), 1.0)
    assert n == pytest.approx(n)
"""


def warm_torch() -> None:
    import torch

    # Before any op: a parallel op in the zygote would leave a thread pool that hangs forked children.
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1), torch.nn.Sigmoid()
    )
    x, y = torch.randn(16, 4), torch.rand(16, 1)
    for optimizer in (torch.optim.SGD(model.parameters(), lr=0.1), torch.optim.Adam(model.parameters())):
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
    logits = torch.randn(4, 3)
    torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 0]))
    torch.softmax(logits, dim=1)
    torch.tanh(logits)
    torch.relu(logits)
    torch.testing.assert_close(torch.ones(3), torch.ones(3))
    torch.nn.Embedding(5, 2)(torch.tensor([1, 2]))
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    with torch.no_grad():
        torch.linalg.norm(x)


def warm_sklearn_pandas() -> None:
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import accuracy_score, mean_squared_error
    from sklearn.model_selection import cross_val_score, train_test_split
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    labels = (features[:, 0] > 0).astype(int)
    train_x, test_x, train_y, test_y = train_test_split(features, labels, test_size=0.25, random_state=0)
    for model in (
        LogisticRegression(),
        DecisionTreeClassifier(max_depth=2),
        RandomForestClassifier(n_estimators=3, n_jobs=1, random_state=0),
        KNeighborsClassifier(n_neighbors=3),
    ):
        accuracy_score(test_y, model.fit(train_x, train_y).predict(test_x))
    mean_squared_error(labels, LinearRegression().fit(features, labels).predict(features))
    KMeans(n_clusters=2, n_init=1, random_state=0).fit(features)
    PCA(n_components=2).fit_transform(StandardScaler().fit_transform(features))
    cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), features, labels, cv=2)
    documents = ["the cat sat", "the dog ran", "a cat ran"]
    CountVectorizer().fit_transform(documents)
    TfidfVectorizer().fit_transform(documents)
    np.linalg.inv(np.eye(3) * 2)
    frame = pd.read_csv(io.StringIO("a,b\n1,2\n3,4\n1,5\n"))
    frame.groupby("a")["b"].mean()
    frame.describe()
    pd.DataFrame(features).merge(pd.DataFrame(features), left_index=True, right_index=True)


def warm_pytest() -> None:
    """One throwaway pytest session with our plugin: imports assertion rewriting, fixtures, parametrize."""
    directory = tempfile.mkdtemp(prefix="syllabus-warmup-")
    before = set(sys.modules)
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved_out, saved_err = os.dup(1), os.dup(2)
    try:
        with open(os.path.join(directory, "test_zygote_warmup.py"), "w") as handle:
            handle.write(_WARM_TEST)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        plugin = ResultsPlugin(
            EventWriter(os.open(os.devnull, os.O_WRONLY)),
            visible_tests=frozenset({"test_zygote_warmup.py"}),
            test_output_bytes=1000,
            output_bytes=1000,
        )
        pytest.main(
            ["-q", "-p", "no:cacheprovider", "--rootdir", directory, "--tb=no", directory], plugins=[plugin]
        )
    finally:
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        for fd in (saved_out, saved_err, devnull):
            os.close(fd)
        shutil.rmtree(directory, ignore_errors=True)
        for name in set(sys.modules) - before:
            if name.startswith("test_zygote_warmup"):
                del sys.modules[name]
        sys.path[:] = [entry for entry in sys.path if entry != directory]


def warm_up() -> dict[str, Any]:
    """Import and exercise everything a course job touches; report the thread count (must stay 1)."""
    warm_torch()
    warm_sklearn_pandas()
    warm_pytest()
    gc.collect()
    # Keep the warmed heap out of future collections so children do not dirty (copy) its pages.
    gc.freeze()
    return {"threads": len(os.listdir("/proc/self/task"))}
