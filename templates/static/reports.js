// Draws the accountability report's charts from the JSON block the page carries
// (<script type="application/json" id="report-data">); no inline script, so the CSP stays strict.
// On a wide screen the units stand along the x axis; on a phone (a chart narrower than 600 px) the
// bars lie horizontally with the unit names down the side, one row each, and when there are more
// than TOP units the chart shows those that most need attention and the tables below hold the rest.
(function () {
  'use strict';
  var block = document.getElementById('report-data');
  if (!block || typeof echarts === 'undefined') { return; }
  var data;
  try { data = JSON.parse(block.textContent); } catch (e) { return; }
  if (!data || !data.orgs) { return; }
  var TOP = 12, ROW = 30;
  var charts = [];

  function narrow(id) {
    var el = document.getElementById(id);
    return !!el && el.clientWidth < 600;
  }

  // pick returns the indexes of the units to draw: all on a wide screen, else the first TOP by rank.
  function pick(phone, rank) {
    var idx = data.orgs.map(function (_, i) { return i; });
    if (!phone || idx.length <= TOP) { return idx; }
    return idx.slice().sort(function (a, b) { return rank(a, b) || a - b; }).slice(0, TOP);
  }
  function take(values, idx) { return idx.map(function (i) { return values[i]; }); }

  // layout gives the axes, grid and size for the units idx: vertical bars with a zoom bar when many
  // units share a wide chart, horizontal bars sized to the number of units on a phone.
  function layout(el, phone, idx, valueAxis) {
    var names = take(data.orgs, idx);
    if (phone) {
      el.style.height = Math.max(200, idx.length * ROW + 90) + 'px';
      return {
        grid: { left: 8, right: 40, top: 30, bottom: 44, containLabel: true },
        yAxis: { type: 'category', inverse: true, data: names, axisTick: { show: false },
          axisLabel: { width: 104, overflow: 'truncate', fontSize: 12 } },
        xAxis: Object.assign({ position: 'top' }, valueAxis, { name: '' }),
        dataZoom: []
      };
    }
    var many = names.length > 12;
    return {
      grid: { left: 40, right: 20, bottom: many ? 90 : 70, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 4 ? 30 : 0 } },
      yAxis: valueAxis,
      dataZoom: many ? [{ type: 'slider', start: 0, end: Math.min(100, 1200 / names.length) }, { type: 'inside' }] : []
    };
  }

  // note says under a chart that it shows only some units.
  function note(el, shown, how) {
    if (shown >= data.orgs.length) { return; }
    var p = document.createElement('p');
    p.className = 'muted small report-chart-note';
    p.textContent = '图中为' + how + '的 ' + shown + ' 个单位；全部 ' + data.orgs.length + ' 个单位见下方表格。';
    el.parentNode.insertBefore(p, el.nextSibling);
  }

  function draw(id, make) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var option = make(el, narrow(id));
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  var total = data.orgs.map(function (_, i) { return (data.minor[i] || 0) + (data.major[i] || 0) + (data.critical[i] || 0); });
  draw('chart-severity', function (el, phone) {
    var idx = pick(phone, function (a, b) { return total[b] - total[a]; });
    if (phone) { note(el, idx.length, '问题最多'); }
    var o = layout(el, phone, idx, { type: 'value', name: '问题数', minInterval: 1 });
    o.tooltip = { trigger: 'axis', axisPointer: { type: 'shadow' } };
    o.legend = { data: ['一般', '较重', '重大'], bottom: 0 };
    o.series = [
      { name: '一般', type: 'bar', stack: 'findings', data: take(data.minor, idx), itemStyle: { color: '#8fb3d9' } },
      { name: '较重', type: 'bar', stack: 'findings', data: take(data.major, idx), itemStyle: { color: '#f0a35e' } },
      { name: '重大', type: 'bar', stack: 'findings', data: take(data.critical, idx), itemStyle: { color: '#c23a30' } }
    ];
    if (phone) { o.series.forEach(function (s) { s.barMaxWidth = 18; }); }
    return o;
  });

  var anyDue = data.on_time.some(function (v) { return v !== null; });
  draw('chart-ontime', function (el, phone) {
    // On a phone the units furthest behind come first; units with nothing due come last.
    var rate = function (i) { return data.on_time[i] === null ? 101 : data.on_time[i]; };
    var idx = pick(phone, function (a, b) { return rate(a) - rate(b); });
    if (phone) { note(el, idx.length, '按期整改率最低'); }
    var o = layout(el, phone, idx, { type: 'value', name: '按期整改率（%）', min: 0, max: 100 });
    var few = idx.length <= 12;
    if (phone) { o.grid.bottom = 8; } // no legend below
    o.title = anyDue ? undefined : { text: '统计期间内暂无到期问题', left: 'center', top: 'middle', backgroundColor: 'rgba(255,255,255,.92)', padding: 8,
      textStyle: { color: '#66788a', fontSize: 14, fontWeight: 'normal' } };
    o.tooltip = {
      trigger: 'axis',
      valueFormatter: function (v) { return v === null || v === undefined || v === '-' ? '无到期问题' : v + '%'; }
    };
    o.series = [{
      name: '按期整改率', type: 'bar', data: take(data.on_time, idx).map(function (v) { return v === null ? '-' : v; }),
      itemStyle: { color: '#3d8b5a' }, barMaxWidth: phone ? 18 : undefined,
      label: { show: few, position: phone ? 'right' : 'top', formatter: '{c}%' }
    }];
    return o;
  });

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
