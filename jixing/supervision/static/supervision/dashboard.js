// Supervision dashboard charts (Apache ECharts, served locally); data from json_script "chart-data".
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var city = echarts.init(document.getElementById("by-city"));
  city.setOption({grid: {left: 70, right: 20, top: 10, bottom: 30}, tooltip: {},
    xAxis: {type: "value"}, yAxis: {type: "category", inverse: true, data: data.by_city.map(function (c) { return c.name; })},
    series: [{type: "bar", data: data.by_city.map(function (c) { return c.open; }), itemStyle: {color: "#c8161d"}}]});
  var trend = echarts.init(document.getElementById("trend"));
  trend.setOption({tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 40, right: 20, top: 40, bottom: 30},
    xAxis: {type: "category", data: data.trend.weeks}, yAxis: {type: "value"},
    series: data.trend.series.map(function (s) { return {name: s.code, type: "bar", stack: "all", data: s.data}; })});
  window.addEventListener("resize", function () { city.resize(); trend.resize(); });
})();
