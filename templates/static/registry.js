// The registry pages' one behaviour: a button that prints the 挂牌 (no inline script under the CSP).
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("[data-print]");
  if (b) { ev.preventDefault(); window.print(); }
});
