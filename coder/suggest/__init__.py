"""The suggester: features, models, training, evaluation and batch suggestions.

``service`` is what the CLI and the coding screen call: ``training`` (training sets, train,
evaluate) and ``suggesting`` (load the latest model, score passages in batches). A model per
question is a ``question_model.QuestionModel`` around ``model.TextClassifier``, which uses
``features`` (lemmas), ``ngrams`` (fast TF-IDF transforms), ``svm`` (threaded SVM fits),
``calibration`` and ``embeddings``; ``artifact`` saves and loads it, ``evidence`` says why
a code was suggested, ``evaluate``, ``live`` and ``report`` measure how far to trust it.
"""
