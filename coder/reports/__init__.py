"""Reports on a project's codings: tally tables (``tally``) written in every output format
(``formats``, a module per format), and agreement between coders (``agreement``, with the
measures themselves in ``agreement_measures``)."""
