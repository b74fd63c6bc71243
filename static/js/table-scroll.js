// The case page's tables on a narrow screen: each table scrolls sideways inside its own
// container instead of widening the page. A container that does scroll is made a named,
// focusable region, so that a keyboard user can scroll it too (WCAG 2.1.1).
(function () {
  "use strict";

  function label(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var section = table.closest("section");
    var heading = section && section.querySelector("h2, h3");
    return heading ? heading.textContent.trim() : "";
  }

  function wrap(table) {
    var box = table.parentElement;
    if (!box.classList.contains("table-scroll")) {
      box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    return box;
  }

  function mark(box, table) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", label(table));
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  function run() {
    var tables = document.querySelectorAll("main table");
    var boxes = [];
    for (var i = 0; i < tables.length; i++) boxes.push([wrap(tables[i]), tables[i]]);
    function update() {
      for (var j = 0; j < boxes.length; j++) mark(boxes[j][0], boxes[j][1]);
    }
    update();
    window.addEventListener("resize", update);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
