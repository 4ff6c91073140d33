// Renders every <div class="chart" data-chart='{"type":"bar","labels":[…],"values":[…]}'> with ECharts.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("div.chart[data-chart]").forEach(function (el) {
    var spec = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el);
    var option = spec.type === "pie"
      ? { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: "65%",
          data: spec.labels.map(function (l, i) { return { name: l, value: spec.values[i] }; }) }] }
      : { tooltip: {}, xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: 20 } },
          yAxis: { type: "value" }, series: [{ type: "bar", data: spec.values }] };
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
