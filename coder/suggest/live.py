"""How the suggester fares in use: what coders did with its suggestions, and how well the
model agrees with the humans (Cohen's kappa per code), the figures evaluation units and
journals ask for when a model helped with coding."""

from __future__ import annotations

from collections import defaultdict

from sklearn.metrics import cohen_kappa_score

from coder.store import Store, queries
from coder.suggest.training import training_set


def live_report(store: Store, question_id: str) -> dict:
    question = store.codebook().question(question_id)
    suggested: dict[int, list[tuple[int, str, float]]] = defaultdict(list)
    for seg, code_id, score, rank in queries.suggestions_of_question(store, question.id):
        suggested[seg].append((rank, code_id, score))
    human = training_set(store, question)
    labels = {
        seg: {label} if question.mode == "single" else set(label)
        for seg, label in zip(human.segment_ids, human.labels, strict=True)
    }
    accepted, removed = queries.accepted_suggestion_events(store, question.id)
    agreed = changed = 0
    model_codes: dict[int, set[str]] = {}
    for seg, items in suggested.items():
        items.sort()
        top = items[0][1]
        if question.mode == "single":
            model_codes[seg] = {top}
        else:
            model_codes[seg] = {code for _, code, score in items if score >= 0.5} or {top}
        if seg in labels:
            if top in labels[seg]:
                agreed += 1
            else:
                changed += 1
    both = sorted(set(labels) & set(model_codes))
    per_code = {}
    for code in question.codes:
        h = [int(code.id in labels[s]) for s in both]
        m = [int(code.id in model_codes[s]) for s in both]
        if not both:
            kappa = None
        elif len(set(h) | set(m)) < 2:
            kappa = 1.0 if h == m else 0.0  # one value on both sides: kappa is undefined
        else:
            kappa = float(cohen_kappa_score(h, m))
        per_code[code.id] = {
            "kappa": kappa,
            "human": sum(h),
            "model": sum(m),
            "agree": sum(1 for a, b in zip(h, m, strict=True) if a == b),
        }
    reviewed = agreed + changed
    return {
        "question": question.id,
        "passages_with_suggestions": len(suggested),
        "reviewed": reviewed,
        "top_suggestion_kept": agreed,
        "top_suggestion_changed": changed,
        "accepted_with_enter": accepted,
        "accepted_then_removed": removed,
        "acceptance_rate": agreed / reviewed if reviewed else None,
        "codes": per_code,
    }
