"""Themes on the counter instrument's reason codes, and emergent themes. Lexicon matching is pure Python;
``ChipThemes`` and ``emergent`` import scikit-learn (batch only).

- Fixed themes, source 1, the lexicon (``lexicon.THEMES``): every match is reported with the words
  that matched, as written in the (redacted) comment.
- Fixed themes, source 2, the chips: history comments that came with reason chips (``reasons``) train
  one classifier per code (at least ``MIN_CHIPS`` comments with and without it); a dissatisfied comment
  gets the code when its probability reaches 0.5. Both sources add up: a comment's themes are the union.
- Emergent themes: NMF over TF-IDF of the dissatisfied comments, each shown with its top terms and
  redacted examples, numbered, never named.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.comments import lexicon
from analysis.comments.featurise import parse

if TYPE_CHECKING:
    import scipy.sparse as sp

CODES = tuple(lexicon.THEMES)
MIN_CHIPS = 20


def lexicon_themes(text: str) -> dict[str, list[str]]:
    """Theme code → the phrases of ``text`` that matched, as written, in order of appearance."""
    parsed = parse(text)
    found: dict[str, list[str]] = {}
    for hit in parsed.hits:
        if hit.key.startswith("t:"):
            words = " ".join(parsed.shown[hit.start : hit.end])
            terms = found.setdefault(hit.key[2:], [])
            if words not in terms:
                terms.append(words)
    return found


class ChipThemes:
    """One logistic regression per reason code, on the dissatisfaction model's features."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.models: dict[str, Any] = {}

    def fit(
        self, x: sp.csr_matrix, reasons: Sequence[Sequence[str]], wrong: Sequence[Collection[str]] | None = None
    ) -> ChipThemes:
        """``reasons``: the chips tapped with each comment; ``wrong``: the themes a manager marked as wrong for
        it — a counter-example for that theme's model (and never a positive one, whatever was tapped)."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        marked = wrong or [()] * len(reasons)
        chipped = [i for i, codes in enumerate(reasons) if codes]
        for code in CODES:
            rows = np.array(sorted({*chipped, *(i for i, m in enumerate(marked) if code in m)}), dtype=np.int64)
            if len(rows) == 0:
                continue
            y = np.array([code in reasons[i] and code not in marked[i] for i in rows], dtype=np.int8)
            if MIN_CHIPS <= y.sum() <= len(y) - MIN_CHIPS:
                model = LogisticRegression(C=3.0, class_weight="balanced", random_state=self.seed, max_iter=500)
                self.models[code] = model.fit(x[rows], y)
        return self

    def predict(self, x: sp.csr_matrix) -> dict[str, Any]:
        """Code → boolean array over the rows of ``x``."""
        return {code: model.predict_proba(x)[:, 1] >= 0.5 for code, model in self.models.items()}


_STOP = frozenset(
    (
        "và",
        "là",
        "thì",
        "mà",
        "của",
        "có",
        "được",
        "cho",
        "với",
        "các",
        "những",
        "một",
        "này",
        "đó",
        "rất",
        "quá",
        "thì",
        "em",
        "anh",
        "chị",
        "tôi",
        "mình",
        "ạ",
        "nhé",
        "nha",
        "cũng",
        "đã",
        "the",
        "a",
        "an",
        "and",
        "to",
        "of",
        "i",
        "was",
        "is",
        "it",
        "in",
        "for",
        "my",
        "me",
        "at",
    )
)


@dataclass(frozen=True)
class Emergent:
    terms: list[str]  # top terms, strongest first
    examples: list[int]  # indices of the most typical comments
    n: int  # comments whose strongest topic this is


def emergent(texts: Sequence[str], seed: int = 0, topics: int | None = None) -> list[Emergent]:
    """NMF topics over the given (redacted, dissatisfied) comments."""
    if len(texts) < 30:
        return []
    import numpy as np
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    from analysis.comments.normalise import clean

    cleaned = [clean(t.replace("[", " ").replace("]", " ")) for t in texts]
    vectoriser = TfidfVectorizer(
        token_pattern=r"(?u)\b[^\W\d_]\w*\b",
        ngram_range=(1, 2),
        min_df=3,
        max_df=0.5,
        sublinear_tf=True,
        stop_words=sorted(_STOP),
        max_features=20000,
    )
    try:
        x = vectoriser.fit_transform(cleaned)
    except ValueError:  # nothing left after the document-frequency limits
        return []
    k = topics or max(2, min(8, len(texts) // 200))
    if x.shape[1] < 2 * k:
        return []
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=300)
    # The loss of a near-perfect fit can round below zero; and topics that have not fully converged after 300
    # rounds (small scopes) are still topics worth showing: neither is a reason to stop a run.
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = nmf.fit_transform(x)
    names = vectoriser.get_feature_names_out()
    out = []
    for topic in range(k):
        terms = [str(names[j]) for j in np.argsort(-nmf.components_[topic], kind="stable")[:6]]
        share = weights[:, topic] / np.maximum(weights.sum(axis=1), 1e-12)
        members = np.flatnonzero((weights.argmax(axis=1) == topic) & (weights[:, topic] > 0))
        examples = members[np.argsort(-share[members], kind="stable")][:3].tolist()
        out.append(Emergent(terms, [int(i) for i in examples], len(members)))
    return out
