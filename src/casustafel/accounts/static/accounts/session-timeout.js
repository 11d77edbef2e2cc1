/*
 * Idle warning (issue 12 item 9, ADR 0036). The session ends after SESSION_COOKIE_AGE seconds
 * without a request. Shortly before, this opens the dialog of session_timeout.html; only the
 * user's click on "Ingelogd blijven" posts to the keep-alive endpoint, which renews the session (and answers 200; a redirect to the login page means it had ended).
 * The page never renews it by itself. When the time has passed, the dialog says so: a form sent
 * then is kept as a draft for the next login (accounts/drafts.py).
 * A static file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var idleMs = parseInt(dialog.getAttribute("data-idle-seconds"), 10) * 1000;
  if (!(idleMs > 0)) {
    return;
  }
  var warnMs = Math.min(120000, Math.floor(idleMs / 2));
  var title = document.getElementById("session-timeout-title");
  var text = document.getElementById("session-timeout-text");
  var stay = dialog.querySelector("[data-session-stay]");
  var close = dialog.querySelector("[data-session-close]");
  var warnTimer = null;
  var endTimer = null;
  var over = false;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(warn, idleMs - warnMs);
    endTimer = window.setTimeout(ended, idleMs);
  }

  function open() {
    if (!dialog.open) {
      dialog.showModal();
    }
  }

  function warn() {
    open();
    stay.focus();
  }

  function ended() {
    window.clearTimeout(warnTimer);
    title.textContent = dialog.getAttribute("data-ended-title");
    text.textContent = dialog.getAttribute("data-ended-text");
    over = true;
    if (stay.parentNode) {
      stay.parentNode.removeChild(stay); // nothing left to renew (a class style would override "hidden")
    }
    open();
    close.focus();
  }

  stay.addEventListener("click", function () {
    stay.disabled = true;
    window
      .fetch(dialog.getAttribute("data-keep-alive-url"), {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": dialog.getAttribute("data-csrf-token") },
      })
      .then(function (response) {
        stay.disabled = false;
        if (response.status === 200) {
          dialog.close();
          schedule();
        } else {
          ended();
        }
      })
      .catch(function () {
        stay.disabled = false;
      });
  });
  close.addEventListener("click", function () {
    dialog.close();
  });
  // Every request to the server renews the session: htmx requests too.
  document.body.addEventListener("htmx:afterRequest", function () {
    if (!over) {
      schedule();
    }
  });
  schedule();
})();
