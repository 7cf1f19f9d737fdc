// Charts are drawn for the screen's width; for printing, each is redrawn to the paper's width (the print
// stylesheet gives it its box) and back afterwards, so no chart is cut at the page's edge.
(function () {
  function charts() { return window.Plotly ? document.querySelectorAll(".js-plotly-plot") : []; }
  window.addEventListener("beforeprint", function () {
    charts().forEach(function (node) { window.Plotly.relayout(node, {width: 680, autosize: false}); });
  });
  window.addEventListener("afterprint", function () {
    charts().forEach(function (node) { window.Plotly.relayout(node, {width: null, autosize: true}); });
  });
})();
