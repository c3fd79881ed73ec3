// The analytics dashboard's charts (ECharts), drawn from the JSON the page carries
// (#sl-analytics-data). Clicking a bar, a point or a slice opens the tickets behind it.
(function () {
  "use strict";
  const source = document.getElementById("sl-analytics-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels;
  const charts = [];

  function chart(id, option, drill) {
    const element = document.getElementById(id);
    if (!element) return null;
    const made = window.echarts.init(element, null, { renderer: "svg" });
    made.setOption(option);
    if (drill) {
      made.on("click", function (event) {
        const extra = drill(event);
        if (extra) window.location.href = data.drill + "&" + extra;
      });
    }
    element.dataset.ready = "1";
    charts.push(made);
    return made;
  }

  const keyOf = (value) => (value === null || value === undefined ? "none" : value);

  // Trend of the metric chosen in the select
  const trendSelect = document.getElementById("sl-trend-metric");
  function trendOption(key) {
    const serie = data.trend.series[key];
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 16, bottom: 28 },
      xAxis: { type: "category", data: data.trend.days },
      yAxis: { type: "value", name: serie.unit === "minutes" ? "h" : serie.unit === "percent" ? "%" : "" },
      series: [{ type: "line", name: serie.label, data: serie.values, connectNulls: false, smooth: true }],
    };
  }
  const trend = chart("sl-chart-trend", trendOption(trendSelect ? trendSelect.value : "tickets"),
    (event) => "day=" + data.trend.days[event.dataIndex]);
  if (trend && trendSelect) {
    trendSelect.addEventListener("change", () => trend.setOption(trendOption(trendSelect.value), true));
  }

  // Pareto of categories: bars and the cumulative share, with the 80 % line
  chart("sl-chart-pareto", {
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 48, top: 24, bottom: 80 },
    xAxis: { type: "category", data: data.pareto.map((b) => b.label), axisLabel: { rotate: 35, interval: 0 } },
    yAxis: [{ type: "value", name: labels.tickets }, { type: "value", max: 100, name: "%" }],
    series: [
      {
        type: "bar", name: labels.tickets,
        data: data.pareto.map((b) => ({ value: b.count, itemStyle: { color: b.vital ? "#dc3545" : "#6c757d" } })),
      },
      {
        type: "line", name: labels.cumulative, yAxisIndex: 1, data: data.pareto.map((b) => b.cumulative),
        markLine: { silent: true, symbol: "none", data: [{ yAxis: 80, name: labels.vital }], label: { formatter: labels.vital } },
      },
    ],
  }, (event) => "category=" + keyOf(data.pareto[event.dataIndex].key));

  // Priority matrix: frequency x impact, quadrants split at the medians
  const sorted = (values) => values.slice().sort((a, b) => a - b);
  const median = (values) => {
    const s = sorted(values), m = Math.floor(s.length / 2);
    return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : 0;
  };
  const colours = { fix_first: "#dc3545", plan: "#fd7e14", streamline: "#0dcaf0", later: "#6c757d" };
  chart("sl-chart-matrix", {
    tooltip: { formatter: (p) => p.data.label + "<br>" + labels.frequency + ": " + p.data.value[0] + "<br>" + labels.impact + ": " + p.data.value[1] },
    grid: { left: 48, right: 24, top: 24, bottom: 40 },
    xAxis: { type: "value", name: labels.frequency, nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "value", name: labels.impact, max: 1 },
    series: [{
      type: "scatter", symbolSize: 14,
      data: data.matrix.map((p) => ({ value: [p.frequency, p.impact], label: p.label, key: p.key, itemStyle: { color: colours[p.quadrant] } })),
      label: { show: true, position: "right", formatter: (p) => p.data.label, fontSize: 10 },
      markLine: {
        silent: true, symbol: "none", lineStyle: { type: "dashed" },
        data: [{ xAxis: median(data.matrix.map((p) => p.frequency)) }, { yAxis: median(data.matrix.map((p) => p.impact)) }],
      },
    }],
    graphic: [
      { type: "text", right: 30, top: 28, style: { text: labels.quadrants.fix_first, fill: colours.fix_first } },
      { type: "text", left: 56, top: 28, style: { text: labels.quadrants.plan, fill: colours.plan } },
      { type: "text", right: 30, bottom: 48, style: { text: labels.quadrants.streamline, fill: "#0aa2c0" } },
      { type: "text", left: 56, bottom: 48, style: { text: labels.quadrants.later, fill: colours.later } },
    ],
  }, (event) => "category=" + keyOf(event.data.key));

  function pie(id, rows, point) {
    chart(id, {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["30%", "60%"], center: ["50%", "42%"], label: { show: false }, data: rows.map((r) => ({ name: r.label, value: r.value, key: r.key })) }],
    }, (event) => point(event.data.key));
  }
  pie("sl-chart-channels", data.channels, (key) => "channel=" + key);
  pie("sl-chart-emotions", data.emotions, (key) => "only=emotion_" + key);

  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
