// Draws the accountability report's charts from the JSON block the page carries
// (<script type="application/json" id="report-data">); no inline script, so the CSP stays strict.
(function () {
  'use strict';
  var block = document.getElementById('report-data');
  if (!block || typeof echarts === 'undefined') { return; }
  var data;
  try { data = JSON.parse(block.textContent); } catch (e) { return; }
  if (!data || !data.orgs) { return; }
  var many = data.orgs.length > 12;
  var zoom = many ? [{ type: 'slider', start: 0, end: Math.min(100, 1200 / data.orgs.length) }, { type: 'inside' }] : [];
  var axis = { type: 'category', data: data.orgs, axisLabel: { interval: 0, rotate: data.orgs.length > 4 ? 30 : 0 } };
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  draw('chart-severity', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { data: ['一般', '较重', '重大'] },
    grid: { left: 40, right: 20, bottom: many ? 90 : 70, containLabel: true },
    xAxis: axis,
    yAxis: { type: 'value', name: '问题数', minInterval: 1 },
    dataZoom: zoom,
    series: [
      { name: '一般', type: 'bar', stack: 'findings', data: data.minor, itemStyle: { color: '#8fb3d9' } },
      { name: '较重', type: 'bar', stack: 'findings', data: data.major, itemStyle: { color: '#f0a35e' } },
      { name: '重大', type: 'bar', stack: 'findings', data: data.critical, itemStyle: { color: '#c23a30' } }
    ]
  });

  var anyDue = data.on_time.some(function (v) { return v !== null; });
  draw('chart-ontime', {
    title: anyDue ? undefined : { text: '统计期间内暂无到期问题', left: 'center', top: 'middle', textStyle: { color: '#66788a', fontSize: 14, fontWeight: 'normal' } },
    tooltip: {
      trigger: 'axis',
      valueFormatter: function (v) { return v === null || v === undefined || v === '-' ? '无到期问题' : v + '%'; }
    },
    grid: { left: 40, right: 20, bottom: many ? 90 : 70, containLabel: true },
    xAxis: axis,
    yAxis: { type: 'value', name: '按期整改率（%）', min: 0, max: 100 },
    dataZoom: zoom,
    series: [{
      name: '按期整改率', type: 'bar', data: data.on_time.map(function (v) { return v === null ? '-' : v; }),
      itemStyle: { color: '#3d8b5a' }, label: { show: !many, position: 'top', formatter: '{c}%' }
    }]
  });

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
