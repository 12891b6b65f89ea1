"""The shipped curriculum: valid, acyclic, and covering every topic and resource the seed names."""

import re
from pathlib import Path

import pytest
import yaml

from content.graph import find_cycles, topological_order
from content.loader import Content, load_content, validate
from content.urls import normalize_url

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
SEED = REPO.parent / "shared" / "seed"

# Every bullet the seed's introduction and learning guide name, mapped to the topic(s) that teach it.
# Duplicates in the seed (word embeddings, tokenization inside text preprocessing, ...) map to one topic.
SEED_BULLETS = {
    "Supervised vs Unsupervised": ["supervised-vs-unsupervised"],
    "Classification vs Regression": ["classification-vs-regression"],
    "Building Deep Neural Networks": ["implementing-an-mlp", "cnns"],
    "Activation Functions": ["activation-functions"],
    "Loss Functions": ["loss-functions"],
    "Optimization and Gradient Descent": ["optimization-gradient-descent"],
    "Word Embeddings": ["word-embeddings"],
    "Tokenization": ["tokenization"],
    "RNNs": ["rnns-lstms-grus"],
    "Linear Algebra": ["linear-algebra"],
    "Calculus": ["calculus"],
    "Probability and Statistics": ["probability-statistics"],
    "Python Basics": ["python-basics"],
    "Data Science Libraries": ["numpy", "pandas", "data-visualization"],
    "Data Preprocessing": ["data-preprocessing"],
    "Machine Learning Libraries": ["scikit-learn"],
    "Fundamentals": ["neural-network-fundamentals"],
    "Training and Optimization": ["backpropagation", "loss-functions", "optimization-gradient-descent"],
    "Overfitting": ["overfitting-regularization"],
    "Implement a Multilayer Perceptron (MLP)": ["implementing-an-mlp"],
    "Text Preprocessing": ["text-preprocessing"],
    "Feature Extraction Techniques": ["feature-extraction"],
    "Recurrent Neural Networks (RNNs)": ["rnns-lstms-grus"],
}

# Sub-topics the seed names inside its bullets: each must be taught (named) by the topic given.
SEED_TERMS = {
    "linear regression": "linear-regression",
    "logistic regression": "logistic-regression",
    "decision tree": "decision-trees-random-forests",
    "random forest": "decision-trees-random-forests",
    "k-nearest neighbors": "k-nearest-neighbors",
    "k-means": "k-means",
    "PCA": "pca-tsne",
    "t-SNE": "pca-tsne",
    "NumPy": "numpy",
    "pandas": "pandas",
    "Matplotlib": "data-visualization",
    "Seaborn": "data-visualization",
    "scikit-learn": "scikit-learn",
    "PyTorch": "pytorch-basics",
    "eigenvectors": "linear-algebra",
    "gradient": "calculus",
    "maximum likelihood": "probability-statistics",
    "missing": "data-preprocessing",
    "outliers": "data-preprocessing",
    "sigmoid": "activation-functions",
    "tanh": "activation-functions",
    "ReLU": "activation-functions",
    "cross-entropy": "loss-functions",
    "mean squared error": "loss-functions",
    "chain rule": "backpropagation",
    "RMSprop": "optimization-gradient-descent",
    "Adam": "optimization-gradient-descent",
    "dropout": "overfitting-regularization",
    "early stopping": "overfitting-regularization",
    "data augmentation": "overfitting-regularization",
    "L1": "overfitting-regularization",
    "MLP": "implementing-an-mlp",
    "stemming": "text-preprocessing",
    "lemmatization": "text-preprocessing",
    "stop words": "text-preprocessing",
    "bag-of-words": "feature-extraction",
    "TF-IDF": "feature-extraction",
    "n-grams": "feature-extraction",
    "Word2Vec": "word-embeddings",
    "GloVe": "word-embeddings",
    "FastText": "word-embeddings",
    "LSTM": "rnns-lstms-grus",
    "GRU": "rnns-lstms-grus",
}

SEED_SECTIONS = {
    "Machine Learning Problems": "ml-foundations",
    "Mathematics for Machine Learning": "mathematics",
    "Python for Machine Learning": "python",
    "Neural Networks": "neural-networks",
    "Natural Language Processing (NLP)": "nlp",
}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT)


@pytest.fixture(scope="module")
def seed() -> Path:
    if not (SEED / "llm-fundamentals-week.txt").is_file() or not (SEED / "resources.md").is_file():
        pytest.skip(f"SEED FILES MISSING: expected ../shared/seed beside the repository at {SEED}")
    return SEED


def seed_bullets(text: str) -> list[str]:
    """Topic bullets of the seed text, skipping resource lists and the weekly goal."""
    names, in_resources = [], False
    for line in text.splitlines():
        if "Resources:" in line:
            in_resources = True
        elif re.match(r"^\d+\. ", line):
            in_resources = False
        elif line.startswith("- ") and not in_resources and "guide" not in line:
            names.append(line[2:].split(":")[0].strip())
    return names


def seed_resources(seed: Path) -> list[dict[str, str]]:
    text = (seed / "resources.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert block is not None, "resources.md has no yaml block"
    entries: list[dict[str, str]] = yaml.safe_load(block.group(1))
    return entries


def topic_text(content: Content, slug: str) -> str:
    spec = next(t.spec for t in content.topics if t.spec.slug == slug)
    return " ".join([spec.title, spec.summary, *spec.objectives]).lower()


def test_shipped_content_has_no_problems(content: Content) -> None:
    assert [str(p) for p in validate(content)] == []


def test_shipped_graph_is_acyclic_and_orders(content: Content) -> None:
    graph = {t.spec.slug: [e.topic for e in t.spec.prerequisites] for t in content.topics}
    assert find_cycles(graph) == []
    order = topological_order(graph)
    assert len(order) == len(content.topics)
    for slug, required in graph.items():
        assert all(order.index(r) < order.index(slug) for r in required)


def test_every_seed_bullet_is_a_topic(content: Content, seed: Path) -> None:
    bullets = seed_bullets((seed / "llm-fundamentals-week.txt").read_text(encoding="utf-8"))
    topics = list(bullets)
    # 9 in the introduction plus 3 + 4 + 4 + 4 in the learning guide: a new seed bullet must be mapped here.
    assert len(topics) == 24, topics
    assert set(topics) == set(SEED_BULLETS), set(topics) ^ set(SEED_BULLETS)
    slugs = {t.spec.slug for t in content.topics}
    missing = {name: s for name, targets in SEED_BULLETS.items() for s in targets if s not in slugs}
    assert missing == {}


@pytest.mark.parametrize(("term", "slug"), sorted(SEED_TERMS.items()))
def test_every_seed_subtopic_is_taught(content: Content, term: str, slug: str) -> None:
    assert term.lower() in topic_text(content, slug)


def test_every_seed_section_is_a_section(content: Content, seed: Path) -> None:
    text = (seed / "llm-fundamentals-week.txt").read_text(encoding="utf-8")
    for heading, slug in SEED_SECTIONS.items():
        assert heading in text
        assert slug in {s.spec.slug for s in content.sections}
    sections_with_topics = {t.spec.section for t in content.topics}
    assert sections_with_topics == {s.spec.slug for s in content.sections}


def test_every_seed_resource_is_present(content: Content, seed: Path) -> None:
    expected = {normalize_url(e["url"]): e for e in seed_resources(seed)}
    shipped = {normalize_url(r.spec.url): r.spec for r in content.resources}
    assert len(expected) == 23
    assert set(shipped) == set(expected)  # every seed link, and no invented ones
    for url, entry in expected.items():
        assert shipped[url].url == entry["url"], "keep the seed's URL exactly as published"
        assert normalize_url(entry["url"]) == entry["url"], "stored as written, so export reproduces it"
        assert shipped[url].kind == entry["kind"]


def test_removed_seed_resource_is_archived_with_a_note(content: Content, seed: Path) -> None:
    removed = [e for e in seed_resources(seed) if e.get("status") == "removed"]
    assert len(removed) == 1
    spec = next(r.spec for r in content.resources if r.spec.url == removed[0]["url"])
    assert spec.status == "archived"
    assert spec.note is not None
    assert "404" in spec.note or "link-rot" in spec.note


def test_shipped_entries_are_fully_described(content: Content) -> None:
    # The schema accepts what an exported database may hold; curated files must say more.
    for section in content.sections:
        assert len(section.spec.summary) > 40, section.spec.slug
    for topic in content.topics:
        assert len(topic.spec.summary) > 80, topic.spec.slug
        assert len(topic.spec.objectives) >= 3, topic.spec.slug
        assert topic.spec.position is None, "order comes from the file"
    for resource in content.resources:
        assert resource.spec.provider, resource.spec.url
        assert resource.spec.topics, resource.spec.url


def test_every_topic_has_an_approved_resource(content: Content) -> None:
    taught = {s for r in content.resources if r.spec.status == "approved" for s in r.spec.topics}
    assert {t.spec.slug for t in content.topics} - taught == set()


def test_topic_ids_follow_section_positions(content: Content) -> None:
    position = {s.spec.slug: s.spec.position for s in content.sections}
    for topic in content.topics:
        assert topic.spec.section is not None
        assert topic.spec.id // 100 == position[topic.spec.section], topic.spec.slug


def test_topics_md_lists_exactly_the_shipped_topics(content: Content) -> None:
    rows = re.findall(
        r"^\| (\d+) \| `([a-z0-9-]+)` \| .* \| ([a-z-]+) \|$", (CONTENT / "TOPICS.md").read_text(), re.M
    )
    assert {(int(i), slug, section) for i, slug, section in rows} == {
        (t.spec.id, t.spec.slug, t.spec.section) for t in content.topics
    }
