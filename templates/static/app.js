// 乌海市教育督导管理系统 — progressive enhancement for the server-rendered pages.
// Everything works without this file; it adds charts, the image viewer and small conveniences.
// The CSP allows scripts from this site only, so nothing here is inline or evaluated.
(function () {
  "use strict";

  // The stylesheet folds the navigation behind a menu button on a phone only when this script runs;
  // without it the navigation wraps onto as many lines as it needs.
  document.documentElement.classList.add("js");

  // Navigation menu (phone): a button above the items names the current page and opens or closes the
  // list. It is made here, not in the markup, so that without script no dead button is shown.
  function setupMenu() {
    var nav = document.getElementById("mainnav");
    var inner = nav && nav.querySelector(".nav-inner");
    if (!inner || nav.querySelector(".nav-toggle")) {
      return;
    }
    inner.id = inner.id || "nav-items";
    var active = inner.querySelector("a.active");
    var b = document.createElement("button");
    b.type = "button";
    b.className = "nav-toggle";
    b.setAttribute("aria-controls", inner.id);
    b.setAttribute("aria-expanded", "false");
    var here = document.createElement("span");
    here.className = "nav-here";
    here.textContent = active ? active.textContent : "导航";
    var open = document.createElement("span");
    open.className = "nav-open";
    open.textContent = "菜单";
    if (inner.querySelector(".count, .nav-count, .badge")) {
      open.className += " nav-flag"; // something waits behind the menu (a count on an item)
    }
    b.appendChild(here);
    b.appendChild(open);
    nav.insertBefore(b, inner);
  }
  function toggleMenu(b, show) {
    var nav = b.closest(".mainnav");
    nav.classList.toggle("open", show);
    b.setAttribute("aria-expanded", show ? "true" : "false");
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest(".nav-toggle") : null;
    if (b) {
      toggleMenu(b, b.getAttribute("aria-expanded") !== "true");
    }
  });
  document.addEventListener("keydown", function (ev) {
    var b = document.querySelector(".mainnav.open .nav-toggle");
    if (ev.key === "Escape" && b) {
      toggleMenu(b, false);
      b.focus();
    }
  });

  // Charts: an element with data-chart holds {title, items: [{name, value, color, href}]}.
  var charts = [];
  function drawCharts(root) {
    if (typeof window.echarts === "undefined") {
      return;
    }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) {
        return;
      }
      var data;
      try {
        data = JSON.parse(el.getAttribute("data-chart"));
      } catch (e) {
        return;
      }
      el.setAttribute("data-drawn", "1");
      var items = data.items || [];
      var narrow = el.clientWidth < 520;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        textStyle: { fontFamily: "system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" },
        grid: { left: narrow ? 84 : 110, right: 36, top: 8, bottom: 8, containLabel: false },
        tooltip: { trigger: "item", formatter: "{b}：{c} 件" },
        xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f5" } }, axisLabel: { color: "#66788a" } },
        yAxis: {
          type: "category",
          inverse: true,
          data: items.map(function (i) { return i.name; }),
          axisTick: { show: false },
          axisLine: { lineStyle: { color: "#d5dbe3" } },
          axisLabel: { color: "#1f2933", fontSize: 13 }
        },
        series: [{
          type: "bar",
          barMaxWidth: 22,
          data: items.map(function (i) {
            return { value: i.value, itemStyle: { color: i.color, borderRadius: [0, 4, 4, 0] } };
          }),
          label: { show: true, position: "right", color: "#1f2933", formatter: "{c}" }
        }]
      });
      chart.on("click", function (p) {
        var item = items[p.dataIndex];
        if (item && item.href && item.href.charAt(0) === "/") {
          window.location.assign(item.href);
        }
      });
      charts.push(chart);
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 150);
  });

  // Image viewer: a thumbnail opens its picture in a dialog; the link still works without script.
  function setupViewer() {
    var dlg = document.getElementById("viewer");
    if (!dlg || typeof dlg.showModal !== "function") {
      return;
    }
    var img = dlg.querySelector(".viewer-img");
    var full = document.getElementById("viewer-full");
    document.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a[data-viewer]") : null;
      if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) {
        return;
      }
      ev.preventDefault();
      img.src = a.getAttribute("href");
      var thumb = a.querySelector("img");
      img.alt = thumb ? thumb.alt : "佐证材料大图";
      full.href = a.getAttribute("href");
      dlg.showModal();
    });
    document.getElementById("viewer-close").addEventListener("click", function () { dlg.close(); });
    dlg.addEventListener("click", function (ev) {
      if (ev.target === dlg) {
        dlg.close();
      }
    });
    dlg.addEventListener("close", function () { img.removeAttribute("src"); });
  }

  // Recheck: the reason and new deadline matter only when a finding fails.
  function setupVerdicts(root) {
    root.querySelectorAll("[data-verdict]").forEach(function (fs) {
      var failed = fs.querySelector(".if-failed");
      if (!failed) {
        return;
      }
      function sync() {
        var fail = fs.querySelector("input[type=radio][value=fail]");
        failed.hidden = !(fail && fail.checked);
      }
      fs.addEventListener("change", sync);
      sync();
    });
  }

  // A form is sent once: a second click while the first is on its way does nothing.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) {
      return;
    }
    if (form.getAttribute("data-sending")) {
      ev.preventDefault();
      return;
    }
    form.setAttribute("data-sending", "1");
    form.classList.add("is-sending");
    setTimeout(function () {
      form.removeAttribute("data-sending");
      form.classList.remove("is-sending");
    }, 8000);
  });

  // Filters leave empty fields out of the address, as a plain form would if it could.
  document.addEventListener("htmx:configRequest", function (ev) {
    var p = ev.detail.parameters;
    if (ev.detail.verb !== "get" || !p) {
      return;
    }
    Object.keys(p).forEach(function (k) {
      if (p[k] === "") {
        delete p[k];
      }
    });
  });

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("[data-back]") : null;
    if (b) {
      ev.preventDefault();
      window.history.back();
    }
  });

  function init(root) {
    drawCharts(root);
    setupVerdicts(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupMenu();
    setupViewer();
    init(document);
  });
  document.addEventListener("htmx:afterSettle", function (ev) {
    setupMenu(); // the navigation may have been swapped in (/ui/nav)
    init(ev.target || document);
  });
})();
