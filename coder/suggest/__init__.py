"""The suggester: features, models, training, evaluation and batch suggestions."""
