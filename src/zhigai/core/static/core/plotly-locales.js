// Plotly in the page's language, written for this platform (no file is fetched at run time): the modebar's
// words, month and day names, and the formats of date ticks. core/app.js loads this after Plotly and
// draws with {locale: "zh-CN"} on Chinese pages; English is Plotly's own.
(function () {
  var months = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"];
  window.Plotly.register({
    moduleType: "locale",
    name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放",
      "Box Select": "框选",
      "Compare data on hover": "悬停时比较数据",
      "Double-click to zoom back out": "双击还原",
      "Download plot as a png": "下载为 PNG 图片",
      "Download plot": "下载图表",
      "Lasso Select": "套索选择",
      "Pan": "平移",
      "Produced with Plotly.js": "由 Plotly.js 绘制",
      "Reset axes": "还原坐标轴",
      "Reset view": "还原视图",
      "Reset views": "还原视图",
      "Reset": "还原",
      "Show closest data on hover": "悬停时显示最近的数据",
      "Snapshot succeeded": "已保存图片",
      "Sorry, there was a problem downloading your snapshot!": "抱歉，图片下载失败。",
      "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
      "Toggle Spike Lines": "显示或隐藏参考线",
      "Toggle show closest data on hover": "切换悬停时显示最近的数据",
      "Zoom in": "放大",
      "Zoom out": "缩小",
      "Zoom": "缩放",
      "trace": "系列"
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      months: months,
      shortMonths: months,
      periods: ["上午", "下午"],
      dateTime: "%Y年%-m月%-d日 %H:%M:%S",
      date: "%Y-%m-%d",
      time: "%H:%M:%S",
      decimal: ".",
      thousands: ",",
      grouping: [3],
      currency: ["¥", ""],
      year: "%Y年",
      month: "%Y年%-m月",
      dayMonth: "%-m月%-d日",
      dayMonthYear: "%Y年%-m月%-d日"
    }
  });
})();
