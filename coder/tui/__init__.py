"""The Textual coding screen: a thin layer over ``coder.coding.session``.

``app`` (the app and ``make_app``), ``coding_screen`` (panels, bindings, drawing),
``actions`` (what each key does), ``busy`` (a write that finds the database busy),
``retraining`` (the suggester retrained while coding), ``widgets`` and ``screens``.
"""
