// The servers list's bulk selection: "select every server shown", and no table refresh while rows
// are ticked or when the change came from the bulk form itself (the filters form listens to every
// select's change; a refresh would clear the ticks). Same-origin, no eval (CSP).
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
    var detail = event.detail || {};
    var source = detail.elt;
    var config = detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    var fromBulk = trigger && trigger.target && trigger.target.closest && trigger.target.closest("#bulk-form");
    var ticked = boxes().some(function (box) { return box.checked; });
    if (fromBulk || (source && source.id === "server-table" && ticked)) {
      event.preventDefault();
    }
  });
})();
