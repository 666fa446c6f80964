// Evidence timelines (Apache ECharts, served locally): each [data-timeline] element names the
// json_script block holding its labels and points.
(function () {
  "use strict";
  document.querySelectorAll("[data-timeline]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.timeline).textContent);
    var chart = echarts.init(el);
    chart.setOption({
      grid: {left: 130, right: 30, top: 20, bottom: 40},
      tooltip: {trigger: "item", formatter: function (p) { return p.value[1] + "<br>" + String(p.value[0]).slice(0, 19); }},
      xAxis: {type: "time", min: "dataMin", max: "dataMax"},
      yAxis: {type: "category", data: data.labels, axisLabel: {fontSize: 11}},
      series: [{type: "line", data: data.points, connectNulls: false, symbolSize: 7, lineStyle: {width: 6, color: "#c8161d"}, itemStyle: {color: "#c8161d"}}]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
