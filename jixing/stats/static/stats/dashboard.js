// Dashboard charts (Apache ECharts, served locally). Data and translated labels come from the
// json_script block (stats/exports.py chart_payload).
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const red = "#b4232a", grey = "#98a2b3";
  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const c = echarts.init(el);
    c.setOption(Object.assign({ animation: false, tooltip: { trigger: "axis" }, grid: { left: 60, right: 20, top: 30, bottom: 60 } }, option));
    window.addEventListener("resize", () => c.resize());
  }
  const labels = data.labels;
  chart("chart-progress", {
    legend: { data: [labels.completion, labels.time] },
    xAxis: { type: "category", data: data.progress.names, axisLabel: { rotate: 30, fontSize: 11 } },
    yAxis: { type: "value", max: (v) => Math.max(100, Math.ceil(v.max / 10) * 10) },
    series: [
      { name: labels.completion, type: "bar", data: data.progress.completion, itemStyle: { color: red } },
      { name: labels.time, type: "line", data: data.progress.time, itemStyle: { color: "#1f2933" }, lineStyle: { type: "dashed" } },
    ],
  });
  chart("chart-ranking", {
    xAxis: { type: "category", data: data.ranking.names, axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: [{ type: "bar", data: data.ranking.values, itemStyle: { color: red } }],
  });
  chart("chart-trend", {
    xAxis: { type: "category", data: labels.months },
    yAxis: { type: "value" },
    series: [{ type: "line", data: data.trend, areaStyle: { opacity: 0.15 }, itemStyle: { color: red } }],
  });
  chart("chart-actions", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.actions, label: { fontSize: 11 } }],
  });
  chart("chart-funnel", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", left: "4%", width: "62%", minSize: "12%", gap: 2, sort: "none", data: data.funnel,
               label: { position: "right", formatter: "{b}: {c}" },
               itemStyle: { color: (p) => [red, "#d9534f", "#e8845c", "#f0ad4e", grey][p.dataIndex % 5] } }],
  });
})();
