// Employment outcome chart (Apache ECharts, served locally). Data from json_script
// "outcome-chart-data"; translated series names from the chart element's data attributes.
(function () {
  "use strict";
  var el = document.getElementById("outcome-chart");
  var data = JSON.parse(document.getElementById("outcome-chart-data").textContent);
  var within = el.dataset.withinLabel, q2 = el.dataset.q2Label;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(1) + "%"; }},
    legend: {data: [within, q2]},
    grid: {left: 50, right: 20, bottom: 80},
    xAxis: {type: "category", data: data.labels, axisLabel: {rotate: data.labels.length > 6 ? 30 : 0, interval: 0}},
    yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
    series: [
      {name: within, type: "bar", barMaxWidth: 48, data: data.within, itemStyle: {color: "#b4232a"}},
      {name: q2, type: "bar", barMaxWidth: 48, data: data.q2, itemStyle: {color: "#1d4ed8"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
