"""What the coding screen shows, as text: for the tests of the screen (tests/test_tui*.py)."""


def text_of(app, widget_type) -> str:
    return str(app.screen.query_one(widget_type).render())


def status_of(app) -> str:
    return str(app.screen.query_one("#status").render())
