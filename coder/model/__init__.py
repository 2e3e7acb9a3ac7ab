"""The codebook model: questions and codes (:mod:`.entities`), read from YAML
(:mod:`.codebook`), checked (:mod:`.validator`, :mod:`.changes`) with line-numbered errors
(:mod:`.fields`); :mod:`.safe_yaml` is the bounded YAML loader every user file goes through."""

from coder.model.codebook import load_codebook, parse_codebook
from coder.model.entities import (
    CONSENSUS_CODER,
    MODES,
    NOT_APPLICABLE,
    Change,
    Code,
    Codebook,
    Question,
)

__all__ = [
    "MODES",
    "CONSENSUS_CODER",
    "NOT_APPLICABLE",
    "Change",
    "Code",
    "Codebook",
    "Question",
    "load_codebook",
    "parse_codebook",
]
