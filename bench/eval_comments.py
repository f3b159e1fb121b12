"""``just eval``: comment analysis on UIT-VSFC (evaluation only: never shipped, nothing derived is kept).

Train split as HISTORY (negative → 1, neutral → 3, positive → 5), dev split as INPUT. Prints the
dissatisfied-class precision, recall and F1 with dev as written and with every diacritic stripped (for a
model trained on train as written, and on train stripped), the ``facilities`` theme against dev's
"facility" topic among negative comments, and a weak-label check: a share of train's negatives get a
positive rating (5) and we report how many of those hidden complaints the model still flags, and dev F1,
with and without the weak-label repair. Data: ``$HAILONG_UIT_VSFC`` or ``../shared/data/uit-vsfc``.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load(folder: Path, split: str) -> tuple[list[str], list[int], list[int]]:
    def lines(name: str) -> list[str]:
        return (folder / split / name).read_text(encoding="utf-8").splitlines()

    return lines("sents.txt"), [int(v) for v in lines("sentiments.txt")], [int(v) for v in lines("topics.txt")]


def prf(predicted: list[bool], truth: list[bool]) -> tuple[float, float, float]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    precision = tp / max(1, sum(predicted))
    recall = tp / max(1, sum(truth))
    return precision, recall, 2 * precision * recall / max(1e-12, precision + recall)


def line(label: str, figures: tuple[float, float, float]) -> str:
    return f"  {label:<44} P {figures[0]:.3f}  R {figures[1]:.3f}  F1 {figures[2]:.3f}"


def main() -> int:
    from analysis.comments.model import Model
    from analysis.comments.normalise import fold
    from analysis.comments.pipeline import analyse, analyse_keeping_model

    folder = Path(os.environ.get("HAILONG_UIT_VSFC", ROOT.parent / "shared" / "data" / "uit-vsfc"))
    if not (folder / "dev" / "sents.txt").is_file():
        print(f"eval: UIT-VSFC not found at {folder} (set HAILONG_UIT_VSFC)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    train, train_sent, _ = load(folder, "train")
    dev, dev_sent, dev_topic = load(folder, "dev")
    ratings = [{0: 1, 1: 3, 2: 5}[s] for s in train_sent]
    truth = [s == 0 for s in dev_sent]
    dev_stripped = [fold(t) for t in dev]
    train_stripped = [fold(t) for t in train]

    print(f"UIT-VSFC: history {len(train)} (train), input {len(dev)} (dev), {sum(truth)} dev negatives")
    print("Dissatisfied class (dev negative):")
    written, kept = analyse_keeping_model(dev, train, ratings, seed=0)
    print(line("trained as written, dev as written", prf([r.dissatisfied for r in written], truth)))
    fit = kept.fit_info
    print(
        f"  (the model: C {fit.c} chosen by out-of-fold F1 {fit.oof_f1:.3f} on train, {fit.folds} folds,"
        f" threshold {fit.threshold:.3f}, {fit.relabelled} relabelled)"
    )
    stripped = analyse(dev_stripped, train, ratings, seed=0)
    print(line("trained as written, dev stripped", prf([r.dissatisfied for r in stripped], truth)))
    both = analyse(dev_stripped, train_stripped, ratings, seed=0)
    print(line("trained stripped, dev stripped", prf([r.dissatisfied for r in both], truth)))
    plain = Model(seed=0, repair=False)
    plain_fit = plain.train(train, ratings)
    for label, docs in (("as written", dev), ("stripped", dev_stripped)):
        flags = list(plain.score(docs)[0] >= plain_fit.threshold)
        print(line(f"(no weak-label repair) dev {label}", prf(flags, truth)))

    negatives = [i for i, t in enumerate(truth) if t]
    facility = [dev_topic[i] == 2 for i in negatives]
    print(f"Facilities theme among dev negatives ({sum(facility)} with topic 'facility'):")
    for label, results in (("as written", written), ("stripped", stripped)):
        found = ["facilities" in results[i].themes for i in negatives]
        print(line(f"lexicon v. topic, {label}", prf(found, facility)))

    rng = random.Random(7)
    train_negatives = [i for i, r in enumerate(ratings) if r == 1]
    share = 0.3
    hidden = set(rng.sample(train_negatives, int(share * len(train_negatives))))
    noisy = [5 if i in hidden else r for i, r in enumerate(ratings)]
    hidden_texts = [train[i] for i in sorted(hidden)]
    print(f"Weak labels: {len(hidden)} of {len(train_negatives)} train negatives ({share:.0%}) rated 5 instead:")
    for repair in (False, True):
        model = Model(seed=0, repair=repair)
        fit = model.train(train, noisy)
        caught = (model.score(hidden_texts)[0] >= fit.threshold).mean()
        dev_flags = list(model.score(dev)[0] >= fit.threshold)
        name = "with repair" if repair else "without repair"
        print(f"  {name:<15} hidden complaints flagged {caught:.1%}  (relabelled {fit.relabelled})")
        print(line(f"  dev, {name}", prf(dev_flags, truth)))
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
