// Monitoring pages: the upload progress of an import, and the charts of a monitoring report drawn
// from the JSON the page carries in a data attribute (no inline script: the CSP stays strict).
(function () {
  'use strict';

  // Import: htmx reports the upload's progress; once the file is sent, the server checks and writes it.
  document.addEventListener('htmx:xhr:progress', function (ev) {
    var bar = document.getElementById('import-progress');
    var phase = document.getElementById('import-phase');
    if (!bar || !ev.detail || !ev.detail.lengthComputable) { return; }
    var pct = Math.round(100 * ev.detail.loaded / Math.max(1, ev.detail.total));
    bar.value = pct;
    if (phase) { phase.textContent = pct < 100 ? '正在上传… ' + pct + '%' : '上传完成，正在逐行校验并写入…'; }
  });
  document.addEventListener('htmx:beforeRequest', function () {
    var bar = document.getElementById('import-progress');
    var phase = document.getElementById('import-phase');
    if (bar) { bar.value = 0; }
    if (phase) { phase.textContent = '正在上传…'; }
  });

  var block = document.getElementById('monitoring-data');
  if (!block || typeof echarts === 'undefined') { return; }
  var data;
  try { data = JSON.parse(block.getAttribute('data-charts')); } catch (e) { return; }
  if (!data || !data.orgs) { return; }
  var charts = [];
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }
  // On a phone the bars lie horizontally, the unit names down the side, one row each.
  var statusEl = document.getElementById('chart-status');
  var phone = !!statusEl && statusEl.clientWidth < 600;
  var units = { type: 'category', data: data.orgs };
  var counts = { type: 'value', name: '指标数', minInterval: 1 };
  if (phone) {
    statusEl.style.height = Math.max(200, data.orgs.length * 30 + 110) + 'px';
    units = { type: 'category', inverse: true, data: data.orgs, axisTick: { show: false }, axisLabel: { width: 104, overflow: 'truncate' } };
    counts = { type: 'value', minInterval: 1, position: 'top' };
  }
  draw('chart-status', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { data: data.statuses.map(function (s) { return s.name; }), bottom: 0 },
    grid: phone ? { left: 8, right: 20, top: 30, bottom: 64, containLabel: true } : { left: 40, right: 20, bottom: 40, containLabel: true },
    xAxis: phone ? counts : units,
    yAxis: phone ? units : counts,
    series: data.statuses.map(function (s) {
      return { name: s.name, type: 'bar', stack: 'status', data: s.counts, itemStyle: { color: s.color }, barMaxWidth: phone ? 18 : undefined };
    })
  });
  if (data.series && data.series.length) {
    var s = data.series[0];
    var lines = data.orgs.map(function (org, i) {
      return { name: org, type: 'line', connectNulls: true, data: s.values[i] };
    });
    lines.push({ name: '规划进度', type: 'line', data: s.expected, lineStyle: { type: 'dashed', color: '#868e96' }, itemStyle: { color: '#868e96' }, symbol: 'none' });
    draw('chart-series', {
      title: { text: s.title + '（' + s.unit + '）', left: 'center', top: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return v === null || v === undefined ? '无数据' : v + s.unit; } },
      legend: { type: 'scroll', top: 30, data: lines.map(function (l) { return l.name; }) }, // one row, scrolled on a phone
      grid: { left: 20, right: 20, top: 70, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: s.years },
      yAxis: { type: 'value', scale: true },
      series: lines
    });
  }
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
