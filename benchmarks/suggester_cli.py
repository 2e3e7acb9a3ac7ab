"""Suggester quality through the CLI, beside two baselines on the same group split (issue 11).

For each dataset folder (``data.csv`` with columns ``text,label,group``, ``codebook.csv``
with ``label,label_name,description`` and a ``LANG`` file), the groups are split 80/20
(``GroupShuffleSplit(1, test_size=0.2, random_state=0)``) and, in a fresh temporary folder,
a user's path is followed with the real ``coder`` command::

    coder init --codebook cb.yaml --db p.db
    coder import train.csv --text-column text --case-column group --id-column id \\
        --code-column label --question label --db p.db      # train rows, with their label
    coder import test.csv --text-column text --case-column group --id-column id --db p.db
    coder train --db p.db          # timed; run twice, the second with embeddings stored
    coder suggest --top 3 --db p.db
    coder export --what suggestions --format csv --out s.csv --db p.db

The rank-1 suggestion of every test passage (matched by external_id) gives accuracy and
macro-F1 (over every label seen in the truth or the predictions), the top 3 give top-3
accuracy, and the rank-1 score gives the ECE (10 equal-width bins). The baselines of
``suggester_quality.py`` (word TF-IDF + LogisticRegression; char_wb 2-5 TF-IDF +
LinearSVC(C=0.5) ranked by decision scores) are fitted on exactly the same train rows.

``--folds K`` replaces the one split by grouped K-fold (``GroupKFold``): every passage is
tested once, by a model that never saw its group, and the measures are taken over all of
them pooled (on a subset of a few hundred test passages one split's ECE is mostly noise;
the report prints what a perfectly calibrated model would show on as many passages).

Variants: ``full`` (every train row coded), ``200`` (only 200 random train rows imported,
``RandomState(run number)``; the same test rows; ``--draws N``: N draws per split, each test
passage scored N times, pooled: which 200 are coded moves macro-F1 by +/-0.015), ``off``
(``full`` with ``CODER_EMBEDDINGS=off``, the TF-IDF-only fallback).

Acceptance (issue 11): coder macro-F1 >= best baseline + 0.02, top-3 >= best baseline,
accuracy >= best baseline, ECE <= 0.05, second ``coder train`` <= 3x the plain char-SVC fit.
"Best baseline" is taken per metric (the max of the two baselines).

    python benchmarks/suggester_cli.py                                  # every dataset
    python benchmarks/suggester_cli.py ../shared/datasets/pimpo-cmp --where lang=dan,swe,nor
    python benchmarks/suggester_cli.py ../shared/datasets/pimpo-cmp --variants full,200 -v
    python benchmarks/suggester_cli.py ../shared/datasets/pimpo-cmp --where lang=dan,swe,nor \\
        --folds 5
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parent))
from suggester_quality import char_svc, word_lr

from coder.model.fields import SLUG

DEFAULT_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
BASELINES = {
    "word TF-IDF + LR": word_lr,
    "char_wb 2-5 TF-IDF + LinearSVC": char_svc,
}


def coder_command() -> str:
    beside = Path(sys.executable).parent / "coder"
    return str(beside) if beside.exists() else "coder"


def ece_top1(scores: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the rank-1 score: sum over 10 equal-width bins of
    |mean score - accuracy| x share of passages."""
    scores = np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
    which = np.minimum((scores * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += abs(scores[mask].mean() - correct[mask].mean()) * mask.mean()
    return float(total)


def make_codebook(folder: Path, frame: pd.DataFrame, name: str) -> tuple[dict, list[str]]:
    """Codebook dict for ``coder init`` and a list of problems (labels that are no slugs)."""
    language = (folder / "LANG").read_text().strip() if (folder / "LANG").exists() else "xx"
    codes, seen, problems = [], set(), []
    book = folder / "codebook.csv"
    rows = (
        pd.read_csv(book, dtype=str, keep_default_na=False).to_dict("records")
        if book.exists()
        else []
    )
    for row in rows:
        code = {"id": row["label"], "label": row.get("label_name") or row["label"]}
        if row.get("description"):
            code["definition"] = row["description"]
        codes.append(code)
        seen.add(row["label"])
    for label in sorted(set(frame["label"]) - seen):
        codes.append({"id": label, "label": label})
    for code in codes:
        if not SLUG.match(code["id"]):
            problems.append(f"label {code['id']!r} is not a valid code id (slug)")
    slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-") or "data"
    return (
        {
            "id": slug,
            "title": f"{name} (benchmark)",
            "language": language,
            "questions": [{"id": "label", "title": "Label", "mode": "single", "codes": codes}],
        },
        problems,
    )


class CoderFailed(RuntimeError):
    pass


def run(args: list[str], cwd: Path, env: dict, verbose: bool) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [coder_command(), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    out = (done.stdout + done.stderr).strip()
    if verbose:
        shown = "\n".join(
            line.split("\r")[-1] for line in out.splitlines() if line.strip()
        )  # keep only the last state of progress bars
        print(f"  $ coder {' '.join(args)}   [{seconds:.1f} s, exit {done.returncode}]")
        for line in shown.splitlines()[-(2 if args[0] == "codebook" else 25) :]:
            print(f"    {line}")
    if done.returncode != 0:
        raise CoderFailed(f"`coder {' '.join(args)}` exited {done.returncode}:\n{out}")
    return seconds, out


def run_coder(
    codebook: dict,
    train: pd.DataFrame,
    test: pd.DataFrame,
    embeddings: bool,
    verbose: bool,
    keep: bool,
) -> dict:
    env = dict(os.environ)
    env.pop("CODER_DB", None)
    if not embeddings:
        env["CODER_EMBEDDINGS"] = "off"
    work = Path(tempfile.mkdtemp(prefix="coder-bench-"))
    (work / "cb.yaml").write_text(
        yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    train[["id", "text", "group", "label"]].to_csv(work / "train.csv", index=False)
    test[["id", "text", "group"]].to_csv(work / "test.csv", index=False)
    db = ["--db", "p.db"]
    table = ["--text-column", "text", "--case-column", "group", "--id-column", "id"]
    run(["codebook", "check", "cb.yaml"], work, env, verbose)
    run(["init", "--codebook", "cb.yaml", *db], work, env, verbose)
    run(
        ["import", "train.csv", *table, "--code-column", "label", "--question", "label", *db],
        work,
        env,
        verbose,
    )
    run(["import", "test.csv", *table, *db], work, env, verbose)
    startup, _ = run(["status", *db], work, env, verbose)  # start-up cost of any command
    first, _ = run(["train", *db], work, env, verbose)
    second, _ = run(["train", *db], work, env, verbose)
    suggest, _ = run(["suggest", "--top", "3", *db], work, env, verbose)
    run(
        ["export", "--what", "suggestions", "--format", "csv", "--out", "s.csv", *db],
        work,
        env,
        verbose,
    )
    rows = pd.read_csv(
        work / "s.csv", dtype={"external_id": str, "code": str}, keep_default_na=False
    )
    if keep:
        print(f"  (kept {work})")
    else:
        for path in sorted(work.iterdir()):
            path.unlink()
        work.rmdir()
    rows = rows[rows["question"] == "label"]
    rows["rank"] = rows["rank"].astype(int)
    rows["score"] = rows["score"].astype(float)
    by_id = {k: g.sort_values("rank") for k, g in rows.groupby("external_id")}
    truth = test["label"].to_numpy(dtype=object)
    predicted, hit3, top_score, missing = [], [], [], 0
    for external_id, label in zip(test["id"], truth, strict=False):
        group = by_id.get(external_id)
        if group is None or group.empty:
            missing += 1
            predicted.append("(none)")
            hit3.append(False)
            top_score.append(0.0)
            continue
        predicted.append(group["code"].iloc[0])
        hit3.append(label in set(group["code"].iloc[:3]))
        top_score.append(group["score"].iloc[0])
    return {
        "truth": truth,
        "predicted": np.array(predicted, dtype=object),
        "hit3": np.array(hit3, dtype=bool),
        "score": np.array(top_score, dtype=float),
        "train_first": first,
        "train_second": second,
        "suggest": suggest,
        "startup": startup,
        "missing": missing,
        "n_suggestion_rows": len(rows),
    }


def measures(runs: list[dict]) -> dict:
    """Accuracy, macro-F1, top-3 and ECE over the pooled test passages of the runs (one
    per split; ``score`` None for uncalibrated baselines), seconds summed."""
    truth = np.concatenate([r["truth"] for r in runs])
    predicted = np.concatenate([r["predicted"] for r in runs])
    out = {
        "accuracy": accuracy_score(truth, predicted),
        "macro_f1": f1_score(truth, predicted, average="macro", zero_division=0),
        "top3": float(np.concatenate([r["hit3"] for r in runs]).mean()),
        "ece": None,
        "passages": len(truth),
        "n_codes_predicted": len(set(predicted)),
    }
    if runs[0].get("score") is not None:
        scores = np.concatenate([r["score"] for r in runs])
        out["ece"] = ece_top1(scores, (predicted == truth).astype(float))
        # what a perfectly calibrated model with these scores would show on this many
        # passages: the ECE's sampling noise
        rng = np.random.default_rng(0)
        out["ece_floor"] = float(
            np.mean([ece_top1(scores, rng.random(len(scores)) < scores) for _ in range(200)])
        )
    for key in ("seconds", "train_first", "train_second", "suggest", "startup", "missing"):
        if key in runs[0]:
            out[key] = sum(r[key] for r in runs)
    return out


def baselines(texts: list[str], y: np.ndarray, train: np.ndarray, test: np.ndarray) -> dict:
    """Each baseline's per-passage predictions on the test rows (as ``run_coder``)."""
    results = {}
    for name, fn in BASELINES.items():
        started = time.perf_counter()
        scores, order, classes, calibrated = fn(texts, y, train, test, None, None, None)
        seconds = time.perf_counter() - started
        truth = y[test]
        results[name] = {
            "truth": truth,
            "predicted": classes[order[:, 0]],
            "hit3": np.array([truth[i] in set(classes[order[i, :3]]) for i in range(len(test))]),
            "score": scores[np.arange(len(test)), order[:, 0]] if calibrated else None,
            "seconds": seconds,
        }
    return results


def plain_char_svc_fit(texts: list[str], y: np.ndarray) -> float:
    started = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    LinearSVC(C=0.5).fit(vectorizer.fit_transform(texts), y)
    return time.perf_counter() - started


def report(title: str, ours: dict | None, failure: str | None, base: dict, svc_fit: float) -> None:
    print(f"\n#### {title}\n")
    print("| model | accuracy | macro-F1 | top-3 | ECE | train s |")
    print("|---|---:|---:|---:|---:|---:|")
    if ours is not None:
        print(
            f"| coder (CLI) | {ours['accuracy']:.3f} | {ours['macro_f1']:.3f} | "
            f"{ours['top3']:.3f} | {ours['ece']:.3f} | {ours['train_second']:.1f} "
            f"(1st run {ours['train_first']:.1f}) |"
        )
    for name, r in base.items():
        ece = f"{r['ece']:.3f}" if r["ece"] is not None else "–"
        print(
            f"| {name} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['top3']:.3f} | "
            f"{ece} | {r['seconds']:.1f} (fit+predict) |"
        )
    print(f"\nplain char-SVC fit (vectorizer fit_transform + LinearSVC fit): {svc_fit:.1f} s")
    if ours is None:
        print(f"\ncoder FAILED:\n```\n{failure}\n```")
        return
    print(
        f"test passages: {ours['passages']}; ECE of a perfectly calibrated model with coder's "
        f"scores on as many passages (sampling noise): {ours['ece_floor']:.3f}"
    )
    print(
        f"coder status (start-up reference): {ours['startup']:.1f} s; "
        f"coder suggest --top 3: {ours['suggest']:.1f} s; test passages without a suggestion: "
        f"{ours['missing']}; distinct rank-1 codes: {ours['n_codes_predicted']}"
    )
    best = {k: max(r[k] for r in base.values()) for k in ("accuracy", "macro_f1", "top3")}
    checks = [
        (
            "macro-F1 >= best baseline + 0.02",
            ours["macro_f1"],
            best["macro_f1"] + 0.02,
            ours["macro_f1"] >= best["macro_f1"] + 0.02,
        ),
        ("top-3 >= best baseline", ours["top3"], best["top3"], ours["top3"] >= best["top3"]),
        (
            "accuracy >= best baseline",
            ours["accuracy"],
            best["accuracy"],
            ours["accuracy"] >= best["accuracy"],
        ),
        ("ECE <= 0.05", ours["ece"], 0.05, ours["ece"] <= 0.05),
        (
            "train (2nd run) <= 3x char-SVC fit",
            ours["train_second"],
            3 * svc_fit,
            ours["train_second"] <= 3 * svc_fit,
        ),
    ]
    print()
    for label, value, bound, ok in checks:
        print(f"- {'PASS' if ok else 'FAIL'}: {label} ({value:.3f} vs {bound:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "datasets",
        nargs="*",
        type=Path,
        help=f"dataset folders (default: every folder in {DEFAULT_DATASETS})",
    )
    parser.add_argument("--where", help="keep rows where COLUMN is one of V1,V2,... (lang=swe)")
    parser.add_argument("--variants", default="full,200,off", help="full, 200, off (any of)")
    parser.add_argument("--few", type=int, default=200, help="coded rows of the '200' variant")
    parser.add_argument(
        "--draws",
        type=int,
        default=1,
        help="'200' variant: this many random draws of the coded rows per split, pooled",
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=0,
        help="grouped K-fold, predictions pooled over the folds (default: one 80/20 split)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show the CLI output")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()

    folders = args.datasets or sorted(
        p for p in DEFAULT_DATASETS.iterdir() if (p / "data.csv").exists()
    )
    for folder in folders:
        frame = pd.read_csv(folder / "data.csv", dtype=str, keep_default_na=False)
        if args.where:
            column, _, values = args.where.partition("=")
            frame = frame[frame[column].isin(values.split(","))].reset_index(drop=True)
        frame["id"] = [f"r{i}" for i in range(len(frame))]
        codebook, problems = make_codebook(folder, frame, folder.name)
        texts = frame["text"].tolist()
        y = frame["label"].to_numpy(dtype=object)
        groups = frame["group"].to_numpy()
        if args.folds >= 2:
            splits = list(GroupKFold(args.folds).split(np.zeros(len(y)), y, groups))
            how = f"grouped {args.folds}-fold, every passage tested once"
        else:
            splits = list(
                GroupShuffleSplit(1, test_size=0.2, random_state=0).split(
                    np.zeros(len(y)), y, groups
                )
            )
            how = "one grouped 80/20 split"
        train, test = splits[0]
        print(
            f"\n## {folder.name} {args.where or ''}\n\n{len(frame)} rows, {len(set(y))} labels, "
            f"{len(set(groups))} groups, language {codebook['language']}; {how}; first split: "
            f"train {len(train)} rows / {len(set(groups[train]))} groups, "
            f"test {len(test)} rows / {len(set(groups[test]))} groups; "
            f"test labels unseen in train: {len(set(y[test]) - set(y[train]))}"
        )
        for problem in problems:
            print(f"- codebook problem: {problem}")
        for variant in args.variants.split(","):
            title = f"{folder.name} {args.where or ''} – " + (
                f"{args.few} coded per split" + (f", {args.draws} draws" if args.draws > 1 else "")
                if variant == "200"
                else "all train rows coded" + (", CODER_EMBEDDINGS=off" if variant == "off" else "")
            )
            print(f"\n(running {title} …)", flush=True)
            ours, base, failure, svc_fit = [], {}, None, 0.0
            draws = args.draws if variant == "200" else 1
            for number, (train, test) in enumerate(s for s in splits for _ in range(draws)):
                fit_rows = train
                if variant == "200":  # draw d of split k: RandomState(k * draws + d)
                    rng = np.random.RandomState(number)
                    fit_rows = np.sort(
                        rng.choice(train, size=min(args.few, len(train)), replace=False)
                    )
                if failure is None:
                    try:
                        ours.append(
                            run_coder(
                                codebook,
                                frame.iloc[fit_rows],
                                frame.iloc[test],
                                embeddings=variant != "off",
                                verbose=args.verbose,
                                keep=args.keep,
                            )
                        )
                    except CoderFailed as error:
                        failure = str(error)
                for name, run in baselines(texts, y, fit_rows, test).items():
                    base.setdefault(name, []).append(run)
                svc_fit += plain_char_svc_fit([texts[i] for i in fit_rows], y[fit_rows])
            report(
                f"{title} ({how})",
                measures(ours) if failure is None else None,
                failure,
                {name: measures(runs) for name, runs in base.items()},
                svc_fit,
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
