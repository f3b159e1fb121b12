"""Dissatisfaction model: learned from the ratings that came with comments. Batch only (numpy, sklearn).

Features (``Vectoriser``): folded syllable 1–2-grams (``ngrams.py``); the syllables in a negation scope
(the three after "không", "chưa", "thiếu" …) as a block of their own, so "thiếu nhiệt tình" is not the
praise "nhiệt tình"; character 3-grams of each syllable obtained as one sparse product (syllable counts ×
syllable→n-gram matrix); lexicon cue counts (``lexicon.py``: complaint words, praise, negated praise,
suggestions, theme words) as another product; and the syllables and cues of the clause after a contrast
word ("hài lòng *nhưng phải chờ 2 tiếng*", ``contrast.py``, which tells "nhưng" from "những") as their own
block. Then sub-linear TF-IDF and L2 normalisation.

Training (``train``): labels y = rating ≤ 2. The weak-label repair comes first: a comment rated satisfied
that has a complaint cue after a contrast word ("hài lòng nhưng phải chờ lâu") is learned as a complaint.
(Confident learning, setting aside or relabelling satisfied-rated comments whose out-of-fold probability
is high, was measured on the weak-label check of ``just eval``: it caught fewer hidden complaints, at twice
the training cost.) Then, for each C of ``C_GRID`` (below ``LARGE`` comments; from there on ``C_LARGE``,
as the grid would double the time of the run), a linear SVM on NBSVM-scaled features (each feature
times its log-count ratio between the classes, Wang & Manning 2012, computed on the training part of the
fold) is fitted on K stratified folds (3, or 2 from 50 000 comments on). The C with the best out-of-fold
F1 is kept; its out-of-fold decision values give a Platt calibration (logistic regression on the decision
value) and the threshold, the F1-optimal calibrated probability on the out-of-fold predictions of the
history itself. The model is the average of that C's fold models (their weights brought back to the
unscaled features, so a score stays one sparse product). Everything is deterministic given ``seed``.

``Model.explain`` names the terms that pushed a score up: each term's own weight (its word or bigram
weight plus the weights of its character n-grams) times its sub-linear count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from analysis.comments import lexicon
from analysis.comments.contrast import Contrast
from analysis.comments.ngrams import SyllableGrams
from analysis.comments.normalise import FOLD, clean, folded_corpus
from analysis.comments.parallel import fork_map

_NEGATORS = {clean(w.lstrip("=")).translate(FOLD) for w in lexicon.NEGATORS if " " not in w}


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
        self.words = SyllableGrams(negators=sorted(_NEGATORS))
        self.contrast = Contrast()
        self.idf: np.ndarray = np.zeros(0)

    def fit_transform(self, folded: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
        """``folded`` = ``folded_corpus(texts)``; the texts as written tell a contrast word from a word that
        folds to the same letters ("nhưng", but; "những", plural: ``contrast.py``)."""
        tails = self.contrast.fit_tails(folded, texts)
        counts, negated = self.words.fit_transform(folded)
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
        self.names += ["not:" + t for t in self.terms[: negated.shape[1]]]
        raw = self._blocks(counts, negated, tails)
        df = np.bincount(raw.indices, minlength=raw.shape[1]).astype(np.float64)
        self.idf = (np.log((1 + raw.shape[0]) / (1 + df)) + 1).astype(np.float32)
        return self._weigh(raw)

    def transform(self, folded: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
        return self._weigh(self._blocks(*self.counts(folded), self.contrast.tails(folded, texts)))

    def counts(self, folded: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The 1–2-gram counts and the counts of the unigrams in a negation scope."""
        return self.words.transform(folded)

    def _blocks(self, counts: sp.csr_matrix, negated: sp.csr_matrix, tails: list[str]) -> sp.csr_matrix:
        tail_counts = self.counts(tails)[0]
        return sp.hstack(
            [counts, counts @ self.char_map, counts @ self.cue_map, tail_counts @ self.cue_map, tail_counts, negated],
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
    c: float = 0.3  # the SVM's C, chosen by the out-of-fold F1
    history: int = 0  # comments learned from
    rated_dissatisfied: int = 0  # of them, rated 1–2
    folds: int = 0


MODEL_VERSION = "2"  # features and training (bump on a change): 2 = NBSVM, negation scope, C grid
C_GRID = (0.1, 0.3, 1.0)
C_LARGE = 0.3  # from LARGE comments on: the grid's choice on UIT-VSFC (11 k comments) for every seed
LARGE = 50_000


class Model:
    def __init__(
        self, seed: int = 0, folds: int | None = None, cs: Sequence[float] = C_GRID, repair: bool = True
    ) -> None:
        self.seed, self.folds, self.cs, self.repair = seed, folds, tuple(sorted(cs)), repair
        self.vectoriser = Vectoriser()
        self.coef = np.zeros(0)
        self.intercept = 0.0
        self.platt = (1.0, 0.0)
        self.fit_info = Fit(0.5, 0, 0.0)

    def train(self, texts: Sequence[str], ratings: Sequence[int]) -> Fit:
        y = (np.asarray(ratings) <= 2).astype(np.int8)
        folded = folded_corpus(texts)
        x = self.vectoriser.fit_transform(folded, texts)
        self.history_x = x  # for the chip themes; the caller may drop it
        hidden = np.zeros(len(y), dtype=bool)
        if self.repair and "after:q:neg" in self.vectoriser.names:
            after = self.vectoriser.names.index("after:q:neg")
            hidden = (y == 0) & (x[:, after].toarray().ravel() > 0)
            y = np.where(hidden, 1, y).astype(np.int8)
        best: tuple[float, float, float, tuple[float, float], np.ndarray, float] | None = None
        for c, (coef, intercept, oof) in self._fit_folds(x, y).items():
            platt = _platt(oof, y)
            threshold, f1 = _best_threshold(_sigmoid(platt[0] * oof + platt[1]), y)
            if best is None or f1 > best[1] + 1e-9:  # ties: the smaller C (the grid is ascending)
                best = (c, f1, threshold, platt, coef, intercept)
        assert best is not None
        c, f1, threshold, self.platt, self.coef, self.intercept = best
        rated = int((np.asarray(ratings) <= 2).sum())
        self.fit_info = Fit(threshold, int(hidden.sum()), f1, c, len(y), rated, self._k(len(y)))
        return self.fit_info

    def _k(self, n: int) -> int:
        return self.folds or (2 if n >= LARGE else 3)  # two folds halve the cost of a large history

    def __getstate__(self) -> dict[str, object]:
        """What ``stored.save`` keeps: everything but the history's feature matrix."""
        return {k: v for k, v in self.__dict__.items() if k != "history_x"}

    def _fit_folds(self, x: sp.csr_matrix, y: np.ndarray) -> dict[float, tuple[np.ndarray, float, np.ndarray]]:
        """For each C of the grid: the average of the fold models (weights, intercept) and the out-of-fold
        decision values."""
        large = len(y) >= LARGE
        k = self._k(len(y))
        folds = list(StratifiedKFold(k, shuffle=True, random_state=self.seed).split(np.zeros(len(y)), y))
        cs = (C_LARGE,) if large and self.cs == C_GRID else self.cs  # the grid would double a large run
        tasks = [(c, fold) for c in cs for fold in range(k)]

        def fit(task: int) -> tuple[np.ndarray, float, np.ndarray]:
            c, fold = tasks[task]
            train_rows, test_rows = folds[fold]
            part = x[train_rows]
            ratio = sp.diags(_log_count_ratio(part, y[train_rows]))
            svm = LinearSVC(C=c, dual=True, tol=1e-3, random_state=self.seed).fit(part @ ratio, y[train_rows])
            coef = np.asarray(ratio @ svm.coef_.ravel())  # the weights on the unscaled features
            intercept = float(svm.intercept_[0])
            return coef, intercept, x[test_rows] @ coef + intercept

        # processes, not threads: liblinear draws from the C library's one random state
        fitted = fork_map(fit, len(tasks))
        out: dict[float, tuple[np.ndarray, float, np.ndarray]] = {}
        for c in cs:
            oof = np.zeros(len(y))
            mine = [(result, folds[fold]) for result, (c2, fold) in zip(fitted, tasks, strict=True) if c2 == c]
            for (_, _, scores), (_, test_rows) in mine:
                oof[test_rows] = scores
            coef = np.mean([result[0] for result, _ in mine], axis=0)
            intercept = float(np.mean([result[1] for result, _ in mine]))
            out[c] = (coef, intercept, oof)
        return out

    def _prob(self, scores: np.ndarray) -> np.ndarray:
        a, b = self.platt
        return _sigmoid(a * scores + b)

    def score(self, texts: Sequence[str]) -> tuple[np.ndarray, sp.csr_matrix, sp.csr_matrix]:
        """Calibrated probabilities, the features and the word counts (for ``explain``)."""
        folded = folded_corpus(texts)
        counts, negated = self.vectoriser.counts(folded)
        x = self.vectoriser._weigh(
            self.vectoriser._blocks(counts, negated, self.vectoriser.contrast.tails(folded, texts))
        )
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


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt calibration: a logistic regression on the decision value."""
    platt = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), y)
    return float(platt.coef_[0, 0]), float(platt.intercept_[0])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-z)))


def _log_count_ratio(x: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """NBSVM's feature scaling (Wang & Manning 2012): log of (share of dissatisfied comments with the
    feature) / (share of the others with it), on binary presence with add-``alpha`` smoothing."""
    present = x.copy()
    present.data = np.ones_like(present.data)
    p = alpha + np.asarray(present[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[y == 0].sum(axis=0)).ravel()
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())), dtype=np.float32)


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
