"""The HTML ``coder serve`` sends: the page that holds the coding screen and the pages that
refuse (401 for a wrong link, 503 when every session is taken), in the interface's language.

The coding page is textual-serve's own page (``textual_serve/templates/app_index.html``,
MIT) with three changes: the font comes from textual-serve's bundled files instead of
Google's servers (nothing leaves the building but the page itself); its words are ours and
translated; and a small wrapper around ``WebSocket`` puts the server's reason for ending a
session ("idle for 60 minutes", "link revoked") into the "session ended" box.
"""

from __future__ import annotations

from html import escape
from string import Template

from coder import i18n
from coder.i18n import _

_STYLE = """
@font-face { font-family: "Roboto Mono"; font-style: normal;
  src: url("$static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
body { background: #0c181f; margin: 0; }
.dialog-container { position: absolute; width: 100vw; height: 100vh; display: flex;
  align-items: center; justify-content: center; z-index: 10; }
.shade { position: absolute; width: 100%; height: 100%; background: #0c181f; }
.intro { width: 640px; min-height: 200px; font-size: 16px; z-index: 20;
  font-family: "Roboto Mono", menlo, monospace; text-align: center;
  color: rgba(255, 255, 255, 0.95); background-color: #12232d; display: flex;
  flex-direction: column; align-items: center; justify-content: center; margin: 32px;
  padding: 24px; }
body.-first-byte .intro-dialog { display: none; }
body .textual-terminal { opacity: 0; transition: opacity 0.3s ease-out; }
body.-first-byte .textual-terminal { opacity: 1; }
.textual-terminal { width: 100vw; height: 100vh; }
button { padding: 16px 32px; background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
  border: none; font-family: "Roboto Mono", menlo, monospace; margin: 16px; display: block; }
button:hover { background: #ac5af4; cursor: pointer; }
.closed-dialog { display: none; }
body.-closed .closed-dialog { display: flex; }
"""

_CODING = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<title>$title</title>
<link rel="stylesheet" href="$static/css/xterm.css">
<style>$style</style>
<script>
// The link's token out of the address bar and the history (the page's cookie carries it).
(function () {
  const url = new URL(window.location.href);
  if (url.searchParams.has("token")) {
    url.searchParams.delete("token");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
})();
// The server says why it ended a session in the websocket's close reason: show it.
(function () {
  const Native = window.WebSocket;
  function Reasoned(url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    // Keys go to the coding screen at once, without a click into it first.
    socket.addEventListener("message", function () {
      const input = document.querySelector("#terminal textarea");
      if (input && document.activeElement !== input) {
        input.focus();
      }
    }, { once: true });
    let opened = false;
    socket.addEventListener("open", function () { opened = true; });
    socket.addEventListener("close", function (event) {
      const ended = document.getElementById("ended");
      if (event.reason) {
        ended.textContent = event.reason;
      } else if (!opened) {
        ended.textContent = ended.dataset.refused;
      }
    });
    return socket;
  }
  Reasoned.prototype = Native.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) {
    Reasoned[name] = Native[name];
  }
  window.WebSocket = Reasoned;
})();
</script>
<script src="$static/js/textual.js"></script>
</head>
<body>
<div class="dialog-container intro-dialog">
  <div class="shade"></div>
  <div class="intro"><div>$starting</div></div>
</div>
<div class="dialog-container closed-dialog">
  <div class="shade"></div>
  <div class="intro">
    <div id="ended" data-refused="$refused">$ended</div>
    <button type="button" onclick="window.location.reload()">$again</button>
  </div>
</div>
<div id="terminal" class="textual-terminal" data-websocket-path="$websocket"
  data-websocket-base="$websocket_base" data-font-size="$font_size"></div>
<script>
// The websocket at --public-url when there is one, else where this page came from.
(function () {
  const terminal = document.getElementById("terminal");
  const base = terminal.dataset.websocketBase
    || (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host;
  terminal.dataset.sessionWebsocketUrl = base + terminal.dataset.websocketPath;
})();
</script>
</body>
</html>
""")

_REFUSED = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<title>$title</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; padding: 0 1em;
  line-height: 1.5; color: #1b1b1b; }
</style>
</head>
<body>
<h1>$title</h1>
<p>$text</p>
</body>
</html>
""")


def coding_page(*, coder: str, base: str, websocket: str, font_size: int) -> str:
    """The page that opens ``coder``'s coding screen through the websocket at the path
    ``websocket``; ``base`` is the server's public address (``https://coder.example.se``),
    or empty for wherever the browser found the page."""
    static = f"{base}/static"
    websocket_base = (
        ("wss:" if base.startswith("https:") else "ws:") + base.split(":", 1)[1] if base else ""
    )
    return _CODING.substitute(
        lang=i18n.language(),
        title=escape(_("coder – {name}").format(name=coder)),
        static=escape(static),
        style=Template(_STYLE).substitute(static=static),
        starting=escape(_("Opening the coding screen for {name} …").format(name=coder)),
        ended=escape(_("The session has ended. Everything you coded is saved.")),
        again=escape(_("Open again")),
        refused=escape(
            _(
                "The server did not open the coding screen (the link was revoked, every "
                "session is in use, or the page came from another address). Its log says why."
            )
        ),
        websocket=escape(websocket),
        websocket_base=escape(websocket_base),
        font_size=font_size,
    )


def refused_page(title: str, text: str) -> str:
    return _REFUSED.substitute(lang=i18n.language(), title=escape(title), text=escape(text))


def unauthorised_page() -> str:
    return refused_page(
        _("401 – this link does not open coder"),
        _(
            "The link is wrong, incomplete or has been revoked. Ask the person who runs "
            "coder serve for your personal link (coder serve --add-coder NAME)."
        ),
    )


def unavailable_page() -> str:
    return refused_page(
        _("503 – the project cannot be read just now"),
        _("The server cannot reach the project's database. Try again in a minute."),
    )


def busy_page(most: int) -> str:
    return refused_page(
        _("503 – every session is in use"),
        i18n.ngettext(
            "This server runs at most {n} coding session at a time, and it is in use. "
            "Try again when someone has finished.",
            "This server runs at most {n} coding sessions at a time, and all are in use. "
            "Try again when someone has finished.",
            most,
        ).format(n=most),
    )
