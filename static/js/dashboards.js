// Dashboards: draw each chart (Chart.js, served locally) from the JSON block beside its data table.
// No inline script (CSP): the data come from <script type="application/json"> blocks made by json_script.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  // Colour-blind-safe palette (Okabe-Ito), AA contrast on white; series also differ by dash/point style.
  const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
  const DASHES = [[], [6, 4], [2, 3], [8, 3, 2, 3]];
  const POINTS = ["circle", "rect", "triangle", "rectRot"];
  const numberFormat = new Intl.NumberFormat("fr-FR");
  const charts = [];

  function build(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const isPie = spec.type === "doughnut" || spec.type === "pie";
    const datasets = spec.datasets.map(function (dataset, index) {
      const colour = PALETTE[index % PALETTE.length];
      if (isPie) {
        return {
          label: dataset.label,
          data: dataset.data,
          backgroundColor: spec.labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; }),
          borderColor: "#ffffff",
        };
      }
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: colour,
        borderColor: colour,
        borderDash: spec.type === "line" ? DASHES[index % DASHES.length] : [],
        pointStyle: POINTS[index % POINTS.length],
        pointRadius: spec.type === "line" ? 3 : 0,
        tension: 0.2,
      };
    });
    const options = {
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: isPie ? 1.6 : 1.8,
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 300 },
      locale: "fr-FR",
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: !isPie } },
        tooltip: {
          callbacks: {
            label: function (context) {
              const value = context.parsed && typeof context.parsed === "object" ? context.parsed.y : context.parsed;
              return (context.dataset.label ? context.dataset.label + " : " : "") + numberFormat.format(value) +
                (spec.unit ? " " + spec.unit : "");
            },
          },
        },
      },
    };
    if (!isPie) {
      options.scales = {
        x: { stacked: !!spec.stacked, ticks: { autoSkip: true, maxRotation: 45 } },
        y: { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 } },
      };
    }
    charts.push(new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options }));
    canvas.dataset.drawn = "true";
  }

  document.querySelectorAll("canvas[data-chart]").forEach(build);

  // Printing: redraw at the paper's width (Chart.js otherwise prints the screen-sized bitmap).
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { chart.resize(600, 330); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
