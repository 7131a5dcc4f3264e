/* The moderation queue: a box that ticks (or clears) every message of the page at once
   (progressive enhancement: without this script each message is ticked by hand). */
(function () {
  "use strict";

  var form = document.querySelector("[data-queue]");
  var all = form && form.querySelector("[data-tick-all]");
  if (!all) {
    return;
  }
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="ids"]'));
  if (!boxes.length) {
    return;
  }
  all.closest("label").hidden = false;

  function sync() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
})();
