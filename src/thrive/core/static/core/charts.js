// Renders each Vega or Vega-Lite spec embedded in the page as <script type="application/json"
// data-vega-target="ID"> into the element with that id. The data table beside every chart is the
// accessible alternative and stays on the page whether or not the chart renders. The CSP allows
// no eval, so specs are parsed to an AST and run by Vega's expression interpreter. Content that
// htmx swaps in (a page that refreshes itself) is drawn again after the swap.
(function () {
  "use strict";
  if (!window.vegaEmbed || !window.vega) { return; }
  function render(root) {
    var specs = root.querySelectorAll("script[type='application/json'][data-vega-target]");
    Array.prototype.forEach.call(specs, function (el) {
      var target = document.getElementById(el.getAttribute("data-vega-target"));
      if (!target) { return; }
      var spec;
      try { spec = JSON.parse(el.textContent); } catch (e) { return; }
      window.vegaEmbed(target, spec, {
        actions: false, renderer: "svg", defaultStyle: false,
        tooltip: { disableDefaultStyle: true },
        ast: true, expr: window.vega.expressionInterpreter
      }).then(function () {
        target.classList.add("thrive-chart--ready");
      }).catch(function () { target.hidden = true; });
    });
  }
  render(document);
  document.body.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
}());
