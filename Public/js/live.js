// 正在考试: reloads the room every N seconds, unless the invigilator is writing an incident.
(function () {
  var marker = document.querySelector("[data-live-refresh]");
  if (!marker) return;
  var seconds = parseInt(marker.getAttribute("data-live-refresh"), 10) || 15;
  setInterval(function () {
    var text = document.querySelector("[data-incident-form] textarea");
    if (text && (document.activeElement === text || text.value.trim() !== "")) return;
    window.location.reload();
  }, seconds * 1000);
})();
