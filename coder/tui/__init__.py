"""The Textual coding screen: a thin layer over ``coder.coding.session``.

``app`` (the app and ``make_app``), ``coding_screen`` (panels and drawing), ``keymap`` (the
bindings and footer, built from ``coder.model.keymap``), ``actions`` (what each key does),
``views`` (filters, search and order worked out in a worker thread), ``busy`` (a write that
finds the database busy), ``retraining`` (the suggester retrained while coding), and the
widgets: ``case_list``, ``widgets`` (the passage), ``code_panel`` (question, codes,
definition), ``screens`` (dialogs and help) and ``history_screen`` (key H).
"""
