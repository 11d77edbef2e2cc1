// Casustafel page behaviour, loaded from 'self' (the Content-Security-Policy allows no inline script).
// - The main menu's disclosure button: shown, and the menu collapsed, on narrow screens only
//   (casustafel.css hides the menu there while aria-expanded is "false"). Without script the
//   button stays hidden and the menu open.
// - Wide tables scroll inside their own block: each table in the content gets a focusable
//   scroll container (keyboard users can scroll it too).
// - "Afdrukken" buttons ([data-print]) print the page with the print stylesheet (print.css);
//   printing opens the closed <details> sections for the paper and closes them afterwards.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 48rem)");

  function setUpMenu() {
    var toggle = document.querySelector(".menu-toggle");
    if (!toggle) return;
    var sync = function () { toggle.setAttribute("aria-expanded", narrow.matches ? "false" : "true"); };
    toggle.hidden = !narrow.matches;
    sync();
    toggle.addEventListener("click", function () {
      toggle.setAttribute("aria-expanded", toggle.getAttribute("aria-expanded") === "true" ? "false" : "true");
    });
    narrow.addEventListener("change", function () { toggle.hidden = !narrow.matches; sync(); });
  }

  function wrapTables() {
    var tables = document.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.parentElement.classList.contains("table-scroll")) continue;
      var wrapper = document.createElement("div");
      wrapper.className = "table-scroll";
      wrapper.tabIndex = 0;
      wrapper.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tabel");
      table.parentNode.insertBefore(wrapper, table);
      wrapper.appendChild(table);
    }
  }

  function setUpPrint() {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }

  // Printing opens the closed sections (<details>) so the paper has the whole case or plan,
  // and closes them again afterwards.
  window.addEventListener("beforeprint", function () {
    var closed = document.querySelectorAll("main details:not([open])");
    for (var i = 0; i < closed.length; i++) {
      closed[i].open = true;
      closed[i].setAttribute("data-opened-for-print", "");
    }
  });
  window.addEventListener("afterprint", function () {
    var opened = document.querySelectorAll("details[data-opened-for-print]");
    for (var i = 0; i < opened.length; i++) {
      opened[i].open = false;
      opened[i].removeAttribute("data-opened-for-print");
    }
  });

  function init() {
    setUpMenu();
    wrapTables();
    setUpPrint();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  // Content htmx swaps in (e.g. a table) gets the same treatment.
  document.addEventListener("htmx:afterSettle", wrapTables);
})();
