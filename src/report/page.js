// Filters for the use-of-force log; no network, no libraries.
(function () {
  var table = document.getElementById("force-log");
  if (!table) return;
  var agency = document.getElementById("f-agency");
  var flagged = document.getElementById("f-flagged");
  var misread = document.getElementById("f-misread");
  var text = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  function apply() {
    var a = agency.value, f = flagged.checked, m = misread.checked, t = text.value.toLowerCase();
    var shown = 0;
    rows.forEach(function (r) {
      var ok = (!a || r.dataset.agency === a) && (!f || r.dataset.flagged === "1") &&
        (!m || r.dataset.misread === "1") && (!t || r.textContent.toLowerCase().indexOf(t) >= 0);
      r.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " of " + rows.length + " shown";
  }
  [agency, flagged, misread, text].forEach(function (el) { el.addEventListener("input", apply); });
  apply();
})();
