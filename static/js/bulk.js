// The servers list's bulk selection: "select every server shown", and the table's 30-second refresh
// held while rows are selected (a refresh would clear the ticks). Same-origin, no eval (CSP).
(function () {
  "use strict";
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('#server-table input[name="servers"]'));
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "select-all") {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.id === "server-table" && boxes().some(function (box) { return box.checked; })) {
      event.preventDefault();
    }
  });
})();
