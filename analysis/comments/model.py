"""Dissatisfaction model: learned from the ratings that came with comments. Batch only (numpy, sklearn).

Features (``Vectoriser``): folded syllable 1–2-grams (``ngrams.py``); character 3-grams of each
syllable obtained as one sparse product (syllable counts × syllable→n-gram matrix); lexicon cue counts
(``lexicon.py``: complaint words, praise, negated praise, suggestions, theme words) as another product; and
the syllables and cues of the clause after a contrast word ("hài lòng *nhưng phải chờ 2 tiếng*") as their
own block. Then sub-linear TF-IDF and L2 normalisation.

Training (``train``): labels y = rating ≤ 2. A linear SVM is fitted on K stratified folds (3, or 2 from
50 000 comments on); the out-of-fold decision values give a Platt calibration (logistic regression on the
decision value) and the threshold, the F1-optimal calibrated probability on the out-of-fold predictions
of the history itself. The weak-label repair comes first: a comment rated satisfied that has a complaint
cue after a contrast word ("hài lòng nhưng phải chờ lâu") is learned as a complaint. (Confident learning,
setting aside or relabelling satisfied-rated comments whose out-of-fold probability is high, was measured
on the weak-label check of ``just eval``: it caught fewer hidden complaints, at twice the training cost.)
The model is the average of the fold models. Everything is deterministic given ``seed``.

``Model.explain`` names the terms that pushed a score up: each term's own weight (its word or bigram
weight plus the weights of its character n-grams) times its sub-linear count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from analysis.comments import lexicon
from analysis.comments.ngrams import SyllableGrams
from analysis.comments.normalise import FOLD, clean
from analysis.comments.parallel import fork_map

_CONTRAST = re.compile(
    r"\b(?:" + "|".join(sorted((clean(w).translate(FOLD) for w in lexicon.CONTRAST), key=len, reverse=True)) + r")\b"
)
_LONG_NUMBER = re.compile(r"\d{5,}")  # phone and ID numbers: one token, not thousands of rare ones
_NEGATORS = {clean(w.lstrip("=")).translate(FOLD) for w in lexicon.NEGATORS if " " not in w}


def folded_corpus(texts: Sequence[str]) -> list[str]:
    """The texts lower-cased and folded like ``normalise.fold``, in C-level passes over the joined corpus:
    NFD, đ → d, then only ASCII kept (this drops the combining marks, and also emoji and non-Latin letters,
    which the model does not use), and every long number as one token."""
    joined = unicodedata.normalize("NFD", "\x1f".join(t.replace("\x1f", " ") for t in texts).lower())
    joined = joined.replace("đ", "d").replace("ð", "d").encode("ascii", "ignore").decode("ascii")
    return _LONG_NUMBER.sub("0", joined).split("\x1f")


def _char_grams(word: str) -> list[str]:
    padded = f"<{word}>"
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def _cue_table() -> dict[str, list[str]]:
    """Folded 1–2-syllable lexicon phrase → cue features (strict entries need accents: not used here)."""
    table: dict[str, list[str]] = {}
    groups = [(f"t:{code}", words) for code, words in lexicon.THEMES.items()]
    groups += [("q:neg", lexicon.NEGATIVE), ("q:pos", lexicon.POSITIVE), ("q:sugg", lexicon.SUGGEST)]
    for key, phrases in groups:
        for phrase in phrases:
            if phrase.startswith("=") or "#" in phrase:
                continue
            folded = clean(phrase).translate(FOLD)
            if folded.count(" ") <= 1:
                table.setdefault(folded, []).append(key)
    for phrase in [*lexicon.POSITIVE, *lexicon.NEGATIVE]:
        if phrase.startswith("="):
            continue
        first = clean(phrase).translate(FOLD).split(" ")[0]
        kind = "q:negpos" if phrase in lexicon.POSITIVE else "q:negneg"
        for negator in _NEGATORS:
            table.setdefault(f"{negator} {first}", []).append(kind)
    return table


class Vectoriser:
    def __init__(self) -> None:
        self.words = SyllableGrams()
        self.idf: np.ndarray = np.zeros(0)

    def fit_transform(self, folded: Sequence[str]) -> sp.csr_matrix:
        counts = self.words.fit_transform(folded)
        self.terms = np.array(self.words.terms, dtype=object)
        grams: dict[str, int] = {}
        rows, cols = [], []
        cue_names: dict[str, int] = {}
        cue_rows, cue_cols = [], []
        cue_table = _cue_table()
        for column, term in enumerate(self.words.terms):
            if " " not in term:
                for gram in _char_grams(term):
                    rows.append(column)
                    cols.append(grams.setdefault(gram, len(grams)))
            for cue in cue_table.get(term, ()):
                cue_rows.append(column)
                cue_cols.append(cue_names.setdefault(cue, len(cue_names)))
        n = len(self.terms)
        self.char_map = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, len(grams)))
        self.cue_map = sp.csr_matrix(
            (np.ones(len(cue_rows), np.float32), (cue_rows, cue_cols)), shape=(n, max(1, len(cue_names)))
        )
        self.names = [*self.terms, *("c:" + g for g in grams), *cue_names, *("after:" + c for c in cue_names)]
        self.names += ["k:" + t for t in self.terms]
        raw = self._blocks(folded, counts)
        df = np.bincount(raw.indices, minlength=raw.shape[1]).astype(np.float64)
        self.idf = (np.log((1 + raw.shape[0]) / (1 + df)) + 1).astype(np.float32)
        return self._weigh(raw)

    def transform(self, folded: Sequence[str]) -> sp.csr_matrix:
        return self._weigh(self._blocks(folded, self.counts(folded)))

    def counts(self, folded: Sequence[str]) -> sp.csr_matrix:
        return self.words.transform(folded)

    def _blocks(self, folded: Sequence[str], counts: sp.csr_matrix) -> sp.csr_matrix:
        counts = counts.tocsr()
        tails = [""] * len(folded)
        joined = "\x1f".join(folded)
        starts = np.cumsum([0, *(len(t) + 1 for t in folded)])
        for match in _CONTRAST.finditer(joined):  # one scan of the corpus; the last contrast word wins
            doc = int(np.searchsorted(starts, match.end(), side="right")) - 1
            tails[doc] = folded[doc][match.end() - int(starts[doc]) :]
        tail_counts = self.counts(tails)
        return sp.hstack(
            [counts, counts @ self.char_map, counts @ self.cue_map, tail_counts @ self.cue_map, tail_counts],
            format="csr",
            dtype=np.float32,
        )

    def _weigh(self, raw: sp.csr_matrix) -> sp.csr_matrix:
        raw.data = 1 + np.log(raw.data)
        raw = raw @ sp.diags(self.idf)
        norms = np.sqrt(np.asarray(raw.multiply(raw).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sp.csr_matrix(sp.diags(1 / norms) @ raw, dtype=np.float32)


@dataclass
class Fit:
    threshold: float  # on the calibrated probability
    relabelled: int  # satisfied-rated history comments with a complaint after "but", learned as complaints
    oof_f1: float


class Model:
    def __init__(self, seed: int = 0, folds: int | None = None, c: float = 0.3, repair: bool = True) -> None:
        self.seed, self.folds, self.c, self.repair = seed, folds, c, repair
        self.vectoriser = Vectoriser()
        self.coef = np.zeros(0)
        self.intercept = 0.0
        self.platt = (1.0, 0.0)
        self.fit_info = Fit(0.5, 0, 0.0)

    def train(self, texts: Sequence[str], ratings: Sequence[int]) -> Fit:
        y = (np.asarray(ratings) <= 2).astype(np.int8)
        folded = folded_corpus(texts)
        x = self.vectoriser.fit_transform(folded)
        self.history_x = x  # for the chip themes; the caller may drop it
        hidden = np.zeros(len(y), dtype=bool)
        if self.repair and "after:q:neg" in self.vectoriser.names:
            after = self.vectoriser.names.index("after:q:neg")
            hidden = (y == 0) & (x[:, after].toarray().ravel() > 0)
            y = np.where(hidden, 1, y).astype(np.int8)
        probs = self._calibrate(self._fit_folds(x, y), y)
        threshold, f1 = _best_threshold(probs, y)
        self.fit_info = Fit(threshold, int(hidden.sum()), f1)
        return self.fit_info

    def _fit_folds(self, x: sp.csr_matrix, y: np.ndarray) -> np.ndarray:
        k = self.folds or (3 if len(y) < 50_000 else 2)  # two folds halve the cost of a large history
        folds = list(StratifiedKFold(k, shuffle=True, random_state=self.seed).split(np.zeros(len(y)), y))

        def fit(fold: int) -> tuple[np.ndarray, float, np.ndarray]:
            train_rows, test_rows = folds[fold]
            svm = LinearSVC(C=self.c, dual=True, tol=1e-3, random_state=self.seed).fit(x[train_rows], y[train_rows])
            return svm.coef_.ravel(), float(svm.intercept_[0]), svm.decision_function(x[test_rows])

        # processes, not threads: liblinear draws from the C library's one random state
        fitted = fork_map(fit, len(folds))
        oof = np.zeros(len(y))
        for (_, _, scores), (_, test_rows) in zip(fitted, folds, strict=True):
            oof[test_rows] = scores
        coefs = [coef for coef, _, _ in fitted]
        intercepts = [intercept for _, intercept, _ in fitted]
        self.coef = np.mean(coefs, axis=0)
        self.intercept = float(np.mean(intercepts))
        return oof

    def _calibrate(self, scores: np.ndarray, y: np.ndarray) -> np.ndarray:
        platt = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), y)
        self.platt = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
        return self._prob(scores)

    def _prob(self, scores: np.ndarray) -> np.ndarray:
        a, b = self.platt
        return np.asarray(1 / (1 + np.exp(-(a * scores + b))))

    def score(self, texts: Sequence[str]) -> tuple[np.ndarray, sp.csr_matrix, sp.csr_matrix]:
        """Calibrated probabilities, the features and the word counts (for ``explain``)."""
        folded = folded_corpus(texts)
        counts = self.vectoriser.counts(folded)
        x = self.vectoriser._weigh(self.vectoriser._blocks(folded, counts))
        return self._prob(x @ self.coef + self.intercept), x, counts

    def term_weights(self) -> np.ndarray:
        v = self.vectoriser
        n = len(v.terms)
        own = self.coef[:n] * v.idf[:n]
        grams = v.char_map.shape[1]
        char = v.char_map @ (self.coef[n : n + grams] * v.idf[n : n + grams])
        return np.asarray(own + char)

    def explain(self, counts: sp.csr_matrix, top: int = 3) -> list[list[str]]:
        weights = self.term_weights()
        out: list[list[str]] = []
        for i in range(counts.shape[0]):
            start, end = counts.indptr[i], counts.indptr[i + 1]
            cols = counts.indices[start:end]
            push = weights[cols] * (1 + np.log(counts.data[start:end]))
            order = np.argsort(-push, kind="stable")[:top]
            out.append([str(self.vectoriser.terms[cols[j]]) for j in order if push[j] > 0])
        return out


def _best_threshold(probs: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The probability threshold with the best F1 for the dissatisfied class on these predictions: midway
    between the lowest score that is flagged and the next lower one."""
    order = np.argsort(-probs, kind="stable")
    sorted_probs, hits = probs[order], y[order].astype(np.float64)
    tp = np.cumsum(hits)
    predicted = np.arange(1, len(y) + 1)
    f1 = 2 * tp / (predicted + hits.sum())
    last = np.r_[sorted_probs[1:] != sorted_probs[:-1], True]  # only cut between distinct values
    f1 = np.where(last, f1, 0)
    best = int(np.argmax(f1))
    below = float(sorted_probs[best + 1]) if best + 1 < len(y) else 0.0
    return (float(sorted_probs[best]) + below) / 2, float(f1[best])  # midway to the next lower score
