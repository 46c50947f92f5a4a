// The live board: counts time from event times, refreshes the cards from the server every few
// seconds, says plainly when the connection drops (and recovers by itself), and records vitals in a
// dialog without leaving the page.
//
// Every timer is computed from times the server wrote on each card (dose, next check due, overdue
// from), against the server's clock (each refresh says what time the server had), so a reload, a
// sleeping tablet or a wrong device clock never loses or skews a timer.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var cardsUrl = board.dataset.cardsUrl;
  var every = (parseInt(board.dataset.pollSeconds, 10) || 5) * 1000;
  var zone = board.dataset.zone;
  var connection = document.getElementById("board-connection");
  var announce = document.getElementById("board-announce");
  var updated = document.querySelector("[data-updated]");
  var offset = 0; // server clock minus this device's clock, in ms
  var down = false;

  var clockFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });
  var minuteFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  function now() { return Date.now() + offset; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function since(ms) {
    var minutes = Math.max(0, Math.floor(ms / 60000));
    var hours = Math.floor(minutes / 60);
    return hours ? hours + " h " + pad(minutes % 60) + " min" : minutes + " min";
  }

  function countdown(ms) {
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var minutes = Math.floor(seconds / 60);
    var text = minutes < 60 ? minutes + " min " + pad(seconds % 60) + " s"
      : Math.floor(minutes / 60) + " h " + pad(minutes % 60) + " min";
    return ms >= 0 ? "in " + text : text + " late";
  }

  function readServerClock() {
    var grid = board.querySelector(".board-grid");
    if (grid && grid.dataset.serverNow) offset = Date.parse(grid.dataset.serverNow) - Date.now();
  }

  function tick() {
    var t = now();
    board.querySelectorAll(".bcard").forEach(function (card) {
      var dose = card.dataset.doseAt;
      var sinceEl = card.querySelector("[data-since]");
      if (dose && sinceEl && !card.classList.contains("is-discharged")) sinceEl.textContent = since(t - Date.parse(dose));
      var due = card.dataset.nextDue;
      var countdownEl = card.querySelector("[data-countdown]");
      if (due && countdownEl) countdownEl.textContent = countdown(Date.parse(due) - t);
      var overdueAt = card.dataset.overdueAt;
      if (overdueAt && t > Date.parse(overdueAt) && !card.classList.contains("is-overdue")) {
        // The check has just turned overdue: show it at once, the next refresh re-sorts the board.
        card.classList.add("is-overdue", "is-urgent");
        var word = card.querySelector("[data-overdue-word]");
        if (word) word.hidden = false;
      }
    });
  }

  function setConnection(isDown) {
    var at = clockFormat.format(new Date(now()));
    if (isDown && !down) {
      connection.textContent = "Connection lost at " + at + ". The cards show the last known state; " +
        "timers keep counting. Trying again every " + every / 1000 + " seconds…";
      connection.className = "connection is-down";
      connection.hidden = false;
      board.classList.add("is-stale");
    } else if (!isDown && down) {
      connection.textContent = "Reconnected at " + at + ". The board is up to date.";
      connection.className = "connection is-up";
      board.classList.remove("is-stale");
      window.setTimeout(function () { if (!down) connection.hidden = true; }, 6000);
    }
    down = isDown;
  }

  function replaceCards(html) {
    // Keep keyboard focus on the same control across a refresh.
    var active = document.activeElement;
    var card = active && active.closest ? active.closest(".bcard") : null;
    var focusKey = card ? [card.id, active.getAttribute("href") || active.textContent] : null;
    board.innerHTML = html;
    readServerClock();
    tick();
    if (focusKey) {
      var again = document.getElementById(focusKey[0]);
      if (again) {
        var target = Array.prototype.find.call(again.querySelectorAll("a, button"), function (el) {
          return (el.getAttribute("href") || el.textContent) === focusKey[1];
        });
        if (target) target.focus();
      }
    }
  }

  function poll() {
    fetch(cardsUrl, {
      headers: { "X-Kapstone-Background": "1", "Accept": "text/html" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      if (response.redirected) {
        // Signed out (idle logoff): reload, which leads to the sign-in page and back here after.
        window.location.reload();
        throw new Error("signed out");
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      replaceCards(html);
      setConnection(false);
      if (updated) updated.textContent = clockFormat.format(new Date(now()));
    }).catch(function () {
      setConnection(true);
    }).then(function () {
      window.setTimeout(poll, every);
    });
  }

  // --- the vitals dialog ---------------------------------------------------------------------------
  var dialog = document.getElementById("vitals-dialog");
  var form = dialog ? dialog.querySelector("form") : null;
  var title = document.getElementById("vitals-dialog-title");

  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    form.querySelectorAll(".field").forEach(function (el) { el.classList.remove("has-error"); });
    form.querySelectorAll("input").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var summary = form.querySelector("[data-errors]");
    summary.hidden = true;
    summary.textContent = "";
  }

  function showErrors(errors) {
    var summary = form.querySelector("[data-errors]");
    var first = null;
    var general = [];
    Object.keys(errors).forEach(function (name) {
      var target = form.querySelector('[data-error-for="' + name + '"]');
      if (!target) { general = general.concat(errors[name]); return; }
      target.textContent = errors[name].join(" ");
      target.hidden = false;
      var field = target.closest(".field");
      field.classList.add("has-error");
      var input = field.querySelector("input");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", target.id || "");
      if (!first) first = input;
    });
    summary.textContent = general.length ? general.join(" ") : "Please correct the values marked below.";
    summary.hidden = false;
    (first || summary).focus();
  }

  function openDialog(link) {
    form.reset();
    clearErrors();
    form.action = link.getAttribute("href");
    title.textContent = "Record vitals · " + link.dataset.room + " · " + link.dataset.who;
    form.querySelector('[name="dialog-taken_at"]').value = minuteFormat.format(new Date(now()));
    dialog.showModal();
    var first = form.querySelector('[name="dialog-sbp"]');
    if (first) first.focus();
  }

  if (dialog && form && typeof dialog.showModal === "function") {
    board.addEventListener("click", function (event) {
      var link = event.target.closest("[data-record-vitals]");
      if (!link) return;
      event.preventDefault();
      openDialog(link);
    });
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var save = form.querySelector("[data-save]");
      save.disabled = true;
      save.textContent = "Saving…";
      clearErrors();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) throw new Error("The server answered " + response.status + ".");
        return response.json();
      }).then(function (data) {
        if (!data.ok) { showErrors(data.errors || {}); return; }
        var old = document.getElementById("card-" + data.session);
        if (old && data.card) {
          old.outerHTML = data.card;
          tick();
        }
        dialog.close();
        var message = "Vitals saved for " + (old ? old.querySelector("h2").textContent : "the session") + ".";
        if (data.alert) message += " " + data.alert_message + " " + data.flags.join(" ");
        announce.textContent = message;
        document.dispatchEvent(new CustomEvent("kapstone:activity"));
      }).catch(function (error) {
        var why = error instanceof TypeError ? "the connection is down." : error.message;
        showErrors({ __all__: ["Could not save: " + why + " Your values are kept; try again."] });
      }).then(function () {
        save.disabled = false;
        save.textContent = "Save vitals";
      });
    });
  }

  readServerClock();
  tick();
  window.setInterval(tick, 1000);
  window.setTimeout(poll, every);
})();
