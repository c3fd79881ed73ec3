// serviceloop: the before/after chart of an improvement plan (ECharts). It reads the weekly
// values of the goal metric from the JSON endpoint named in data-source: one line for the
// whole scope (and, with a pilot, one for the pilot and one for the rest), the baseline and
// after windows shaded, the target as a dashed line. Each point's tooltip gives its n.
(function () {
  "use strict";
  const element = document.getElementById("sl-plan-chart");
  if (!element || !window.echarts || !element.dataset.source) return;

  function hours(unit) {
    return unit === "minutes";
  }

  function draw(data) {
    const labels = data.labels;
    const unit = data.metric.unit;
    const scale = hours(unit) ? 1 / 60 : 1;
    const scope = data.series.scope;
    const days = scope.map(function (point) { return point.start; });
    const lines = [];
    ["scope", "pilot", "rest"].forEach(function (key) {
      const points = data.series[key];
      if (!points) return;
      lines.push({
        name: labels[key],
        type: "line",
        connectNulls: false,
        showSymbol: true,
        showAllSymbol: true,
        symbolSize: 7,
        data: points.map(function (point) {
          return {
            value: point.value === null ? null : point.value * scale,
            n: point.n,
            end: point.end,
          };
        }),
      });
    });
    const areas = [];
    ["baseline", "after"].forEach(function (name) {
      const inWindow = scope.filter(function (point) { return point.window === name; });
      if (inWindow.length) {
        areas.push([
          { name: labels[name], xAxis: inWindow[0].start },
          { xAxis: inWindow[inWindow.length - 1].start },
        ]);
      }
    });
    if (lines.length) {
      lines[0].markArea = { silent: true, itemStyle: { opacity: 0.08 }, data: areas };
      lines[0].markLine = {
        silent: true,
        symbol: "none",
        lineStyle: { type: "dashed" },
        label: { formatter: labels.target, position: "insideEndTop" },
        data: [{ yAxis: data.target * scale }],
      };
    }
    const chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          if (!items.length) return "";
          const first = items[0];
          let text = first.axisValue + " – " + (first.data && first.data.end ? first.data.end : "");
          items.forEach(function (item) {
            const value = item.data && item.data.value !== null ? item.data.value.toFixed(1) : "—";
            const n = item.data ? item.data.n : 0;
            text += "<br>" + item.marker + item.seriesName + ": " + value + " (" + labels.n + " = " + n + ")";
          });
          return text;
        },
      },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 28, bottom: 56 },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value", name: hours(unit) ? "h" : unit === "percent" ? "%" : "" },
      series: lines,
    });
    element.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  fetch(element.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) { if (data && data.series) draw(data); })
    .catch(function () { element.dataset.ready = "error"; });
})();
