/* Draws every chart on the page from the JSON beside it (no inline script: strict CSP).
 *
 * A chart is drawn when it comes within a screen of the view, or once the reader has scrolled
 * past it, so that the first screen is usable before the charts below it are drawn; printing
 * draws every chart first. Each chart's place keeps
 * the height of its figure meanwhile, so the page does not jump. The tables beside the charts
 * hold the same figures, for readers without JavaScript.
 *
 * A picker (a select with data-chart-picker="<chart's JSON id>") adds one more line to a
 * chart: its options index the traces in the JSON named by data-picker-source.
 */
(function () {
  "use strict";
  var CONFIG = { displaylogo: false, displayModeBar: false, responsive: true };
  // plotly.js: on the page already, or loaded when the first chart is drawn (data-plotly on
  // this script), so that evaluating it never holds up the page's first screen.
  var PLOTLY = document.currentScript && document.currentScript.dataset.plotly;
  var figures = new Map();  // element → figure not drawn yet
  var drawn = new Map();  // element → promise of the drawn plot
  var observer = null;
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = PLOTLY;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function plot(element, figure) {
    return window.Plotly.newPlot(element, figure.data, figure.layout, CONFIG);
  }

  function draw(element) {
    if (drawn.has(element)) { return drawn.get(element); }
    var figure = figures.get(element);
    if (!figure) { return Promise.resolve(); }
    figures.delete(element);
    if (observer) { observer.unobserve(element); }
    // With plotly.js at hand the chart is drawn at once (printing waits for nothing else).
    var done = window.Plotly ? plot(element, figure) : loadPlotly().then(function () {
      return plot(element, figure);
    });
    drawn.set(element, done);
    return done;
  }

  function drawAll() {
    figures.forEach(function (_figure, element) { draw(element); });
  }

  // The observer reports a chart only if it sees it within reach at one of its checks: a quick
  // scroll (or a jump to the end) while the page is busy drawing can pass a chart between two
  // checks, and it would never be drawn. So each scroll also draws every chart not drawn yet
  // that is within a screen below the view or anywhere above it.
  var checking = false;
  function drawReached() {
    checking = false;
    var reach = window.innerHeight * 2;
    figures.forEach(function (_figure, element) {
      if (element.getBoundingClientRect().top < reach) { draw(element); }
    });
  }
  function onScroll() {
    if (!checking && figures.size) {
      checking = true;
      window.requestAnimationFrame(drawReached);
    }
  }

  function setUp() {
    if (!window.Plotly && !PLOTLY) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      figures.set(element, figure);
      if (figure.layout && figure.layout.height) {
        element.style.minHeight = figure.layout.height + "px";
      }
    });
    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) { draw(entry.target); }
        });
      }, { rootMargin: "100% 0px" });  // the next screen too: scrolling finds it drawn
      figures.forEach(function (_figure, element) { observer.observe(element); });
      window.addEventListener("scroll", onScroll, { passive: true });
    } else {
      drawAll();
    }
    // Printing (and print preview) shows every chart, drawn or not yet.
    window.addEventListener("beforeprint", drawAll);
    if (window.matchMedia) {
      var print = window.matchMedia("print");
      var onPrint = function (event) { if (event.matches) { drawAll(); } };
      if (print.addEventListener) { print.addEventListener("change", onPrint); }
    }
    document.querySelectorAll("[data-chart-picker]").forEach(setUpPicker);
    // Ready for printing later even if no chart came into view.
    if (figures.size && PLOTLY) {
      window.addEventListener("load", function () { loadPlotly(); });
    }
  }

  function setUpPicker(box) {
    var element = document.querySelector('[data-chart="' + box.dataset.chartPicker + '"]');
    var source = document.getElementById(box.dataset.pickerSource);
    var select = box.querySelector("select");
    if (!element || !source || !select) { return; }
    var lines = JSON.parse(source.textContent);
    var added = false;
    var queue = Promise.resolve();  // one change after the other, however fast they come
    box.hidden = false;
    select.addEventListener("change", function () {
      var choice = select.value;
      queue = queue.then(function () { return draw(element); }).then(function () {
        if (added) {
          window.Plotly.deleteTraces(element, -1);
          added = false;
        }
        if (choice === "") { return; }
        var trace = Object.assign({ x: lines.x }, lines.traces[Number(choice)]);
        added = true;
        return window.Plotly.addTraces(element, trace);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
