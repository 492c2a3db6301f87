(function(){
  "use strict";
  var box = document.getElementById("filters");
  if (!box) { return; }
  box.hidden = false;
  var q = document.getElementById("q"), fr = document.getElementById("frule"), fh = document.getElementById("fhost");
  var fs = document.getElementById("fsev"), shown = document.getElementById("shown");
  var items = document.querySelectorAll("article.incident");
  function apply() {
    var text = q.value.toLowerCase(), rule = fr.value, host = fh.value, sev = fs.value, n = 0;
    for (var i = 0; i < items.length; i++) {
      var a = items[i];
      var ok = (!rule || (" " + a.getAttribute("data-rules") + " ").indexOf(" " + rule + " ") >= 0) &&
               (!host || a.getAttribute("data-host") === host) &&
               (!sev || a.getAttribute("data-severity") === sev) &&
               (!text || a.getAttribute("data-text").indexOf(text) >= 0);
      a.hidden = !ok;
      if (ok) { n++; }
    }
    shown.textContent = n + " of " + items.length + " shown";
  }
  q.addEventListener("input", apply);
  fr.addEventListener("change", apply);
  fh.addEventListener("change", apply);
  fs.addEventListener("change", apply);
  apply();
})();
