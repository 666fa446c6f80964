// Pay chart (Apache ECharts, served locally). Data from json_script "pay-chart-data";
// translated names from the chart element's data attributes.
(function () {
  "use strict";
  var el = document.getElementById("pay-chart");
  var data = JSON.parse(document.getElementById("pay-chart-data").textContent);
  var average = el.dataset.averageLabel, starting = el.dataset.startingLabel;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {data: [average, starting]},
    grid: {left: 60, right: 20, bottom: 40},
    xAxis: {type: "category", data: data.levels},
    yAxis: {type: "value", name: el.dataset.unitLabel},
    series: [
      {name: average, type: "bar", barMaxWidth: 48, data: data.average, itemStyle: {color: "#b4232a"}},
      {name: starting, type: "bar", barMaxWidth: 48, data: data.starting, itemStyle: {color: "#667085"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
