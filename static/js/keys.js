/* Keyboard comfort on every page (no inline script: loaded from base.html).
   "/" puts the cursor in the page's search box; Escape closes an open dialog or menu and gives
   the focus back to what opened it. */
(function () {
  "use strict";
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/" && !typing(event.target)) {
      var search = document.querySelector("main input[type=search], main [role=search] input:not([type=hidden])");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (event.key === "Escape") {
      var dialog = document.querySelector("dialog[open]");
      if (dialog) {
        dialog.close();
        return;
      }
      var open = document.querySelectorAll("details[open]:is(.dropdown, .row-menu, .areas-menu)");
      for (var i = 0; i < open.length; i++) {
        open[i].removeAttribute("open");
        var summary = open[i].querySelector("summary");
        if (summary && open[i].contains(document.activeElement)) summary.focus();
      }
    }
  });
  // A click outside an open row menu closes it (as a menu should).
  document.addEventListener("click", function (event) {
    var menus = document.querySelectorAll("details.row-menu[open]");
    for (var i = 0; i < menus.length; i++) {
      if (!menus[i].contains(event.target)) menus[i].removeAttribute("open");
    }
  });
})();

/* A table wrapper that scrolls (a wide table on a phone) must be reachable by keyboard: it gets a
   tab stop while it scrolls, on load and after every htmx swap. */
(function () {
  "use strict";
  function reach() {
    var boxes = document.querySelectorAll(".table-scroll, .overflow-auto");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    }
  }
  document.addEventListener("DOMContentLoaded", reach);
  window.addEventListener("resize", reach);
  document.addEventListener("htmx:afterSettle", reach);
})();
