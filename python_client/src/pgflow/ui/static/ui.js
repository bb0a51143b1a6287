// pgflow ui: live run pages. The server pushes a fingerprint of the run's state
// (server-sent events); when it differs from the one shown, the live part of the
// page is fetched again and swapped in. EventSource reconnects by itself.
(function () {
  "use strict";
  var live = document.querySelector("[data-live]");
  if (!live || !window.EventSource) { return; }
  var shown = live.getAttribute("data-fingerprint");
  var base = live.getAttribute("data-live");
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(base + "/fragment", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        shown = response.headers.get("X-Pgflow-Fingerprint") || shown;
        return response.text();
      })
      .then(function (html) {
        live.innerHTML = html;
        live.setAttribute("data-fingerprint", shown);
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  var events = new EventSource(base + "/events");
  events.onmessage = function (event) {
    if (event.data !== shown) { refresh(); }
  };
})();
