// upbot console: draws each figure's chart from the JSON API (the same rows as the table beside it).
// No inline scripts: the page's Content-Security-Policy allows scripts from the console only.
(function () {
  'use strict';

  var STAGES = ['sessions', 'exposed', 'long_pressed', 'joined'];
  var JOIN_OUTCOMES = ['attributed_joins', 'unattributed_joins', 'waiting_joins'];

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) {
          throw new Error('upbot console: ' + url + ' answered ' + r.status);
        }
        return r.json();
      });
  }

  function col(rows, name) {
    return rows.map(function (r) { return r[name]; });
  }

  function lines(x, rows, names, extra) {
    var o = {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 56, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: x },
      yAxis: [{ type: 'value' }],
      series: names.map(function (n) {
        return { name: n, type: 'line', data: col(rows, n), connectNulls: false, showSymbol: rows.length < 60 };
      })
    };
    return extra ? extra(o) : o;
  }

  function bars(x, rows, names) {
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: x },
      yAxis: { type: 'value' },
      series: names.map(function (n) { return { name: n, type: 'bar', data: col(rows, n) }; })
    };
  }

  var KINDS = {
    funnel: function (d) {
      var r = d.rows[0];
      return {
        tooltip: {},
        grid: { left: 96, right: 48, top: 8, bottom: 24 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', inverse: true, data: ['sessions', 'exposed', 'long-pressed', 'joined'] },
        series: [{ type: 'bar', label: { show: true, position: 'right' },
          data: STAGES.map(function (s) { return r[s]; }) }]
      };
    },
    // WeCom joins by outcome: one stacked bar, labelled with the counts.
    joins: function (d) {
      var r = d.rows[0];
      return {
        tooltip: {},
        legend: { top: 0 },
        grid: { left: 96, right: 48, top: 32, bottom: 24 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: ['WeCom joins'] },
        series: JOIN_OUTCOMES.map(function (n) {
          return { name: n.replace('_joins', ''), type: 'bar', stack: 'joins', label: { show: r[n] > 0 }, data: [r[n]] };
        })
      };
    },
    joins_daily: function (d) {
      var o = bars(col(d.rows, 'day'), d.rows, JOIN_OUTCOMES);
      o.series.forEach(function (s) { s.stack = 'joins'; s.name = s.name.replace('_joins', ''); });
      o.grid.right = 56;
      o.yAxis = [o.yAxis, { type: 'value', min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + '%'; } } }];
      o.series.push({ name: 'attributed share', type: 'line', yAxisIndex: 1, data: col(d.rows, 'attributed_share'), lineStyle: { type: 'dashed' } });
      return o;
    },
    daily: function (d) {
      return lines(col(d.rows, 'day'), d.rows, STAGES, function (o) {
        o.yAxis.push({ type: 'value', min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + '%'; } } });
        o.series.push({ name: 'conversion', type: 'line', yAxisIndex: 1, data: col(d.rows, 'conversion'), lineStyle: { type: 'dashed' } });
        return o;
      });
    },
    users: function (d) {
      return lines(col(d.rows, 'day'), d.rows, ['users', 'exposed_users', 'long_pressed_users', 'joined_users']);
    },
    hours: function (d) {
      var byHour = {};
      d.rows.forEach(function (r) { byHour[r.hour] = r; });
      var rows = [];
      var x = [];
      for (var h = 0; h < 24; h++) {
        x.push(h);
        rows.push(byHour[h] || { sessions: 0, exposed: 0, long_pressed: 0, joined: 0 });
      }
      return bars(x, rows, STAGES);
    },
    dwell: function (d) {
      return lines(col(d.rows, 'hour_start'), d.rows, ['p50_s', 'p90_s', 'p99_s']);
    },
    convert: function (d) {
      return lines(col(d.rows, 'hour_start'), d.rows, ['press_p50_s', 'press_p90_s', 'join_p50_s', 'join_p90_s']);
    },
    breakdown: function (d) {
      var dim = d.columns[0];
      return bars(col(d.rows, dim).map(String), d.rows, STAGES);
    },
    deadletters: function (d) {
      var days = [];
      var reasons = [];
      d.rows.forEach(function (r) {
        if (days.indexOf(r.day) < 0) { days.push(r.day); }
        if (reasons.indexOf(r.reason) < 0) { reasons.push(r.reason); }
      });
      return {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 56, right: 24, top: 32, bottom: 28 },
        xAxis: { type: 'category', data: days },
        yAxis: { type: 'value' },
        series: reasons.map(function (reason) {
          return {
            name: reason, type: 'bar', stack: 'all',
            data: days.map(function (day) {
              var hit = d.rows.filter(function (r) { return r.day === day && r.reason === reason; })[0];
              return hit ? hit.dead_letters : 0;
            })
          };
        })
      };
    }
  };

  var charts = [];

  function draw(el, option) {
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
    el.setAttribute('data-rendered', 'true');
  }

  document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
    var kind = KINDS[el.getAttribute('data-chart')];
    getJson(el.getAttribute('data-src')).then(function (d) {
      if (!d.available || d.rows.length === 0) {
        el.setAttribute('data-rendered', 'empty');
        return;
      }
      draw(el, kind(d));
    }).catch(function (e) {
      el.textContent = 'chart unavailable: ' + e.message;
      console.error(e.message);
    });
  });

  // Sparklines: one request for every code's sessions per day, days without rows drawn as 0.
  var source = document.getElementById('spark-source');
  if (source) {
    getJson(source.getAttribute('data-src')).then(function (d) {
      var days = [];
      var day = new Date(source.getAttribute('data-from') + 'T00:00:00Z');
      var last = new Date(source.getAttribute('data-to') + 'T00:00:00Z');
      while (day <= last) {
        days.push(day.toISOString().slice(0, 10));
        day = new Date(day.getTime() + 86400000);
      }
      var byCode = {};
      d.rows.forEach(function (r) {
        (byCode[r.code] = byCode[r.code] || {})[r.day] = r.sessions;
      });
      document.querySelectorAll('.spark[data-spark]').forEach(function (el) {
        var series = byCode[el.getAttribute('data-spark')] || {};
        draw(el, {
          animation: false,
          grid: { left: 2, right: 2, top: 2, bottom: 2 },
          xAxis: { type: 'category', show: false, data: days },
          yAxis: { type: 'value', show: false, min: 0 },
          tooltip: { trigger: 'axis' },
          series: [{ type: 'line', showSymbol: false, areaStyle: { opacity: 0.2 },
            data: days.map(function (x) { return series[x] || 0; }) }]
        });
      });
    }).catch(function (e) {
      console.error(e.message);
    });
  }

  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
