// Layout behaviours: the navigation toggle on narrow screens, and the idle logoff timer that
// leaves the page (so client data does not stay on an unattended screen) once the server-side
// idle timeout has passed without activity.
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("sidenav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var seconds = parseInt(document.body.dataset.idleTimeout || "0", 10);
  if (seconds > 0) {
    // Only a page load or a form post counts as activity on the server, so the timer restarts on load.
    window.setTimeout(function () {
      window.location.assign(document.body.dataset.idleUrl + "?idle=1&next=" + encodeURIComponent(window.location.pathname));
    }, seconds * 1000 + 1000);
  }
})();
