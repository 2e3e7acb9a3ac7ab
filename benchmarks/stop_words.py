"""Stop words kept vs dropped in the lemma features, grouped 5-fold by document, one language.

python benchmarks/stop_words.py ../shared/datasets/pimpo-cmp/data.csv deu de
"""

import csv
import sys
import time

import numpy as np

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from coder.suggest import features, question_model
from coder.suggest.evaluate import grouped_folds
from coder.suggest.question_model import fit_question_model

path, lang, code = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, encoding="utf-8", newline="") as f:
    rows = [r for r in csv.DictReader(f) if r["lang"] == lang]
texts = [r["text"] for r in rows]
y = np.array([r["label"] for r in rows], dtype=object)
groups = np.array([r["group"] for r in rows])
orig = features.normaliser


def dropping(language, pipeline=None, *, lemmas=True):
    base = orig(language, pipeline, lemmas=lemmas)
    stop = features._pipeline(language, pipeline)[0].Defaults.stop_words
    return lambda t: [" ".join(w for w in s.split() if w not in stop) for s in base(t)]


for variant in ("kept", "dropped"):
    question_model.normaliser = orig if variant == "kept" else dropping
    accs, f1s, top3 = [], [], []
    t0 = time.time()
    from sklearn.metrics import f1_score

    for train, test in grouped_folds(list(groups), 5):
        m = fit_question_model(
            None,
            [texts[i] for i in train],
            list(y[train]),
            language=code,
            codes=sorted(set(y[train])),
            groups=list(groups[train]),
        )
        s = m.scores([texts[i] for i in test])
        order = m.rank(s)
        codes = np.array(m.codes, dtype=object)
        pred = codes[order[:, 0]]
        accs.append((pred == y[test]).mean())
        f1s.append(f1_score(y[test], pred, average="macro"))
        top3.append(np.mean([y[test][i] in codes[order[i, :3]] for i in range(len(test))]))
    print(
        f"{lang} stop words {variant}: acc {np.mean(accs):.3f} macro-F1 {np.mean(f1s):.3f}"
        f" top-3 {np.mean(top3):.3f} ({time.time() - t0:.0f} s)",
        flush=True,
    )
