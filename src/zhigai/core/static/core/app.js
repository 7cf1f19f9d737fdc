// Draw every Plotly chart on the page (and in fragments htmx swaps in) from its JSON script tag.
(function () {
  var plotlyLoading = null;
  // The locale file sits beside this script, under the same static prefix (collectstatic keeps unhashed names).
  var localesSrc = document.currentScript ? document.currentScript.src.replace(/app(\.[^./]*)?\.js(\?.*)?$/, "plotly-locales.js") : "";
  function script(src, done) {
    var s = document.createElement("script");
    s.src = src; s.onload = done;
    document.head.appendChild(s);
  }
  function loadPlotly(done) {
    if (window.Plotly && window.Plotly.zhigaiLocales) return done();
    if (!plotlyLoading) {
      plotlyLoading = [];
      var ready = function () {
        window.Plotly.zhigaiLocales = true;
        plotlyLoading.forEach(function (f) { f(); });
      };
      script(document.body.dataset.plotly || "/static/plotly/plotly.min.js", function () {
        if (localesSrc) script(localesSrc, ready); else ready();
      });
    }
    plotlyLoading.push(done);
  }
  // Plotly in the page's language: Chinese month names, words and date formats (plotly-locales.js), and
  // the separators both languages write, 1,234.5 (core.numbers writes the same on the page).
  function pageLocale() {
    var lang = (document.documentElement.lang || "zh").toLowerCase();
    return lang.indexOf("en") === 0 ? "en" : "zh-CN";
  }
  function draw(root) {
    var nodes = (root || document).querySelectorAll("div.chart[data-chart]:not([data-drawn])");
    if (!nodes.length) return;
    loadPlotly(function () {
      nodes.forEach(function (node) {
        var spec = JSON.parse(document.getElementById(node.dataset.chart).textContent);
        var layout = Object.assign({margin: {t: 40, r: 40, b: 40, l: 60}, height: 300,
          font: {family: "system-ui, 'Noto Sans CJK SC', sans-serif", size: 12},
          legend: {orientation: "h"}, separators: ".,"}, spec.layout || {});
        // Long category names (industries) get the room they need instead of being cut off.
        layout.yaxis = Object.assign({automargin: true}, layout.yaxis || {});
        layout.xaxis = Object.assign({automargin: true}, layout.xaxis || {});
        window.Plotly.newPlot(node, spec.data, layout, {displaylogo: false, responsive: true, locale: pageLocale()});
        node.setAttribute("data-drawn", "1");
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // No inline handlers (the Content-Security-Policy allows only this site's script files): a select marked
  // data-autosubmit sends its form when it changes; a link marked data-back goes back a page.
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-autosubmit]") && e.target.form) e.target.form.submit();
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-back]");
    if (link && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
  document.addEventListener("messages", function (e) {
    var box = document.getElementById("messages");
    (e.detail.value || e.detail).forEach(function (m) {
      var div = document.createElement("div");
      div.className = "msg " + m.level; div.textContent = m.text; box.appendChild(div);
    });
  });
})();
