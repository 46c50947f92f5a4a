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
    // A page load or a form post is activity on the server; a page that saves in place (the live
    // board's vitals dialog) fires "kapstone:activity" so the timer restarts with the server's.
    var timer = null;
    var restart = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        window.location.assign(document.body.dataset.idleUrl + "?idle=1&next=" + encodeURIComponent(window.location.pathname));
      }, seconds * 1000 + 1000);
    };
    document.addEventListener("kapstone:activity", restart);
    restart();
  }
})();
