(function(){
  "use strict";
  var box = document.getElementById("filters");
  if (!box) { return; }
  box.hidden = false;
  var q = document.getElementById("q"), fr = document.getElementById("frule"), fh = document.getElementById("fhost");
  var shown = document.getElementById("shown");
  var items = document.querySelectorAll("article.finding");
  function apply() {
    var text = q.value.toLowerCase(), rule = fr.value, host = fh.value, n = 0;
    for (var i = 0; i < items.length; i++) {
      var a = items[i];
      var ok = (!rule || a.getAttribute("data-rule") === rule) &&
               (!host || a.getAttribute("data-host") === host) &&
               (!text || a.getAttribute("data-text").indexOf(text) >= 0);
      a.hidden = !ok;
      if (ok) { n++; }
    }
    shown.textContent = n + " of " + items.length + " shown";
  }
  q.addEventListener("input", apply);
  fr.addEventListener("change", apply);
  fh.addEventListener("change", apply);
  apply();
})();
