// Follow-up questions on the intake: a block marked data-follows="hypertension" is shown only while
// the "hypertension" question is answered yes. The server applies the same rule (an answer to a
// follow-up that is not asked is dropped), so without this script every question is simply shown.
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-follows]");
  if (!blocks.length) return;
  function answeredYes(name) {
    var checked = document.querySelector('input[name="' + name + '"]:checked');
    return checked !== null && checked.value === "yes";
  }
  function update() {
    blocks.forEach(function (block) {
      var shown = answeredYes(block.dataset.follows);
      block.hidden = !shown;
      block.querySelectorAll("input").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }
  document.addEventListener("change", update);
  update();
})();
