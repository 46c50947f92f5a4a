// Skip logic on questionnaire pages: a question marked data-show-if="2:1" is shown only while
// question 2 is answered with 1. The server applies the same rule, so without this script every
// question is simply shown (each says when it applies).
(function () {
  "use strict";
  var gated = document.querySelectorAll("[data-show-if]");
  if (!gated.length) return;
  function answer(number) {
    var checked = document.querySelector('input[name="item_' + number + '"]:checked');
    return checked ? checked.value : null;
  }
  function update() {
    gated.forEach(function (fieldset) {
      var parts = fieldset.dataset.showIf.split(":");
      var shown = parts[1].split(",").indexOf(answer(parts[0])) !== -1;
      fieldset.hidden = !shown;
      fieldset.querySelectorAll("input").forEach(function (input) {
        input.disabled = !shown;  // a hidden question sends no answer
      });
    });
  }
  document.addEventListener("change", update);
  update();
})();
