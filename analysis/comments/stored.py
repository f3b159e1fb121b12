"""The dissatisfaction model a run trained, kept with the run (batch only).

``hailong analyze`` trains the model on the period's own rated comments and writes it beside the run's
files: ``model.pkl`` (the fitted ``Model``: vocabulary, IDF, weights, Platt calibration, threshold) and
``model.json``, its card: model and lexicon versions, seed, C, folds, threshold, out-of-fold F1, how many
comments it learned from, the library versions and the SHA-256 of ``model.pkl``. Nothing trained is
shipped in the package. ``load`` re-reads a model to re-score comments exactly as the run did; it
unpickles, so load only a file a run of yours wrote (``load`` checks it against the card's SHA-256).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import platform
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from analysis.comments import lexicon
from analysis.comments.model import MODEL_VERSION, Model

MODEL_FILE, CARD_FILE = "model.pkl", "model.json"


def save(model: Model, folder: Path) -> dict[str, Any]:
    """Write ``model.pkl`` and ``model.json`` into ``folder``; returns the card."""
    folder.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    (folder / MODEL_FILE).write_bytes(data)
    card = {
        "file": MODEL_FILE,
        "sha256": hashlib.sha256(data).hexdigest(),
        "model_version": MODEL_VERSION,
        "lexicon_version": lexicon.VERSION,
        "seed": model.seed,
        **asdict(model.fit_info),
        "features": len(model.coef),
        "trained_on": "this run's period: its rated comments (rating 1–2 is the dissatisfied class)",
        "libraries": {
            "python": platform.python_version(),
            **{name: version(name) for name in ("numpy", "scipy", "scikit-learn")},
        },
    }
    (folder / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")
    return card


def load(folder: Path) -> Model:
    """The model a run kept in ``folder`` (its ``model.pkl``, checked against ``model.json``)."""
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    data = (folder / MODEL_FILE).read_bytes()
    if hashlib.sha256(data).hexdigest() != card["sha256"]:
        raise ValueError(f"{folder / MODEL_FILE} is not the file its card describes (SHA-256 differs)")
    model = pickle.loads(data)  # the run's own file, checked against its card
    if not isinstance(model, Model):
        raise ValueError(f"{folder / MODEL_FILE} holds no dissatisfaction model")
    return model
