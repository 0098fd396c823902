// The figures' receipts in a browser without the Popover API (static/css/receipts.css): a tap, a
// click, Enter or Space on a figure opens its receipt as the popover would; Esc or a tap outside
// closes it. Where popovers work, the browser does all of this and this script does nothing.
(function () {
  "use strict";
  if (!document.querySelector || HTMLElement.prototype.hasOwnProperty("popover")) return;
  var open = null;
  function close() {
    if (!open) return;
    open.receipt.classList.remove("is-open");
    open.button.classList.remove("is-open");
    open.button.setAttribute("aria-expanded", "false");
    open = null;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[popovertarget]");
    if (open && open.receipt.contains(event.target)) return;
    var was = open && open.button;
    close();
    if (!button || button === was) return;
    var receipt = document.getElementById(button.getAttribute("popovertarget"));
    if (!receipt) return;
    receipt.classList.add("is-open");
    button.classList.add("is-open");
    button.setAttribute("aria-expanded", "true");
    var box = button.getBoundingClientRect();
    if (window.innerWidth > 640) {  // beside the number, inside the window (a phone: the sheet, CSS)
      var left = Math.max(8, Math.min(box.left, window.innerWidth - receipt.offsetWidth - 8));
      var below = box.bottom + 6 + receipt.offsetHeight <= window.innerHeight;
      receipt.style.left = left + "px";
      receipt.style.top = (below ? box.bottom + 6 : Math.max(8, box.top - 6 - receipt.offsetHeight)) + "px";
    }
    open = { button: button, receipt: receipt };
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) {
      var button = open.button;
      close();
      button.focus();
    }
  });
})();
