"""The suggester retrained in the background while the coder goes on coding."""

from __future__ import annotations

from textual import work

from coder.coding.session import CodingSession
from coder.errors import CoderError
from coder.i18n import _, ngettext


class Retrains:
    """The coding screen's part that retrains the suggester every ``retrain_every`` new
    codings (a mixin of ``CodingScreen``, whose ``refresh_all`` redraws the screen and
    ``show_view`` re-sorts it)."""

    session: CodingSession

    def retrain_if_due(self) -> None:
        """After a write: retrain once enough new codings came in (never if 0)."""
        every = self.session.retrain_every
        if every and self.session.new_codings >= every:
            self.session.new_codings = 0
            self.retrain(self.session.question.id)

    @work(thread=True, exclusive=True, group="retrain")
    def retrain(self, question_id: str) -> None:
        """Retrain on the codings so far and re-score the uncoded passages, in a thread:
        keys keep working, and each write is a short transaction of its own."""
        from coder.suggest.service import retrain

        try:
            result, scored = retrain(self.session.store, question_id)
        except Exception as exc:  # noqa: BLE001 - a background failure must not end coding
            message = str(exc) if isinstance(exc, CoderError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(
                self.notify,
                _("Retraining failed: {problem}").format(problem=message),
                severity="error",
            )
            return
        self.app.call_from_thread(self._retrained, question_id, result.n_train, scored)

    def _retrained(self, question_id: str, n_train: int, scored: int) -> None:
        if question_id != self.session.question.id:
            return
        resort = self.session.suggestions_changed(resort=False)
        self.refresh_all()
        if resort:  # most uncertain first: re-sorted by the new scores, in the background
            self.show_view()
        retrained = ngettext(
            "Suggestions updated: retrained on {n} passage, {scored} re-scored.",
            "Suggestions updated: retrained on {n} passages, {scored} re-scored.",
            n_train,
        )
        self.notify(retrained.format(n=n_train, scored=scored))
