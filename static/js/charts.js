/* Charts of the server page, drawn with uPlot from JSON endpoints (no inline scripts: CSP).
 *
 * An element with `data-chart-url` is filled with one uPlot chart per entry of the endpoint's
 * `charts` list: {"x": [unix seconds], "charts": [{"title", "unit", "series": [{"label", "data"}]}]}.
 * A <select data-chart-range="<element id>" data-param="<name>"> reloads that element's charts
 * with ?<name>=<value>. An upstream problem arrives as {"error": "..."} and is shown as text.
 */
(function () {
  "use strict";

  var COLOURS = ["#1e88e5", "#e53935", "#43a047", "#fb8c00"];

  function say(container, text, isError) {
    container.textContent = "";
    var p = document.createElement("p");
    p.className = isError ? "chart-status error" : "chart-status muted";
    if (isError) { p.setAttribute("role", "alert"); }
    p.textContent = text;
    container.appendChild(p);
  }

  function width(container) {
    return Math.max(240, Math.min(container.clientWidth || 600, 1100));
  }

  function draw(container, payload) {
    container.textContent = "";
    if (!payload.x || payload.x.length === 0) {
      say(container, "No data for this range.", false);
      return;
    }
    (payload.charts || []).forEach(function (chart) {
      var box = document.createElement("figure");
      box.className = "chart-box";
      var caption = document.createElement("figcaption");
      caption.textContent = chart.title + (chart.unit ? " (" + chart.unit + ")" : "");
      box.appendChild(caption);
      container.appendChild(box);
      var series = [{}];
      var data = [payload.x];
      chart.series.forEach(function (s, i) {
        series.push({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 1.5 });
        data.push(s.data);
      });
      var plot = new window.uPlot({ width: width(container), height: 180, series: series,
        axes: [{}, { size: 60 }] }, data, box);
      box.uplot = plot;
    });
    watchSize(container);
    if (payload.limit !== undefined && payload.limit !== null) {
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = "Used " + (payload.used || 0) + " of " + payload.limit + " GB this period.";
      container.appendChild(note);
    }
  }

  /* Charts follow their container's width (a phone turned sideways, a resized window). */
  function watchSize(container) {
    if (container.resizeWatched || !window.ResizeObserver) { return; }
    container.resizeWatched = true;
    new window.ResizeObserver(function () {
      container.querySelectorAll(".chart-box").forEach(function (box) {
        if (box.uplot) { box.uplot.setSize({ width: width(container), height: 180 }); }
      });
    }).observe(container);
  }

  function load(container, params) {
    var url = container.getAttribute("data-chart-url");
    if (params) { url += "?" + params; }
    say(container, "Loading…", false);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return { error: "The chart could not be loaded." }; });
      })
      .then(function (payload) {
        if (payload.error) { say(container, payload.error, true); return; }
        if (!window.uPlot) { say(container, "Charts are unavailable.", true); return; }
        draw(container, payload);
      })
      .catch(function () { say(container, "The chart could not be loaded. Check your connection and retry.", true); });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-chart-url]").forEach(function (el) {
      if (el.dataset.chartReady) { return; }
      el.dataset.chartReady = "1";
      load(el, "");
    });
    (root || document).querySelectorAll("select[data-chart-range]").forEach(function (select) {
      if (select.dataset.rangeReady) { return; }
      select.dataset.rangeReady = "1";
      select.addEventListener("change", function () {
        var target = document.getElementById(select.getAttribute("data-chart-range"));
        if (!target) { return; }
        var param = select.getAttribute("data-param");
        load(target, select.value ? encodeURIComponent(param) + "=" + encodeURIComponent(select.value) : "");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
