// The lesson page (在线学习): sends a signed heartbeat every interval while the learner studies;
// the server decides what counts. Takes webcam snapshots at the random times the server gives.
(function () {
  var root = document.querySelector("[data-study]");
  if (!root) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var interval = parseFloat(root.getAttribute("data-interval")) || 30;
  var media = root.querySelector("[data-media]");
  var status = root.querySelector("[data-study-status]");
  var studiedEl = root.querySelector("[data-studied-seconds]");
  var camera = root.querySelector("[data-camera]");
  var canvas = root.querySelector("[data-camera-canvas]");
  var token = null, timer = null, stream = null, lastInteraction = Date.now();

  var deviceID = localStorage.getItem("safecert-device");
  if (!deviceID) {
    deviceID = "d-" + Array.from(crypto.getRandomValues(new Uint8Array(12))).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    localStorage.setItem("safecert-device", deviceID);
  }
  ["mousemove", "keydown", "touchstart", "scroll", "click"].forEach(function (e) {
    document.addEventListener(e, function () { lastInteraction = Date.now(); }, { passive: true });
  });

  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return { stop: true, rejection: "服务器无响应" }; }); });
  }
  function show(text) { if (status) status.textContent = text; }
  function update(answer) {
    if (typeof answer.studiedSeconds === "number" && answer.studiedSeconds > 0 && studiedEl) studiedEl.textContent = Math.floor(answer.studiedSeconds);
  }

  function beat() {
    if (!token) return;
    var body = { token: token, visible: document.visibilityState === "visible",
      playbackRate: media ? media.playbackRate : 1, position: media ? media.currentTime : null,
      secondsSinceInteraction: (Date.now() - lastInteraction) / 1000, deviceID: deviceID };
    post(root.getAttribute("data-heartbeat"), body).then(function (answer) {
      update(answer);
      if (answer.stop || !answer.token) {
        token = null;
        clearInterval(timer);
        show("已停止计时：" + (answer.rejection || "") + "。请刷新页面重新进入学习。");
        return;
      }
      token = answer.token;
      show(answer.rejection ? "本次未计学时：" + answer.rejection : "计时中，本次计入 " + Math.round(answer.credited) + " 秒");
    });
  }

  function snapshot(delaySeconds) {
    if (!stream || !delaySeconds) return;
    setTimeout(function () {
      if (!token || !stream) return;
      var ctx = canvas.getContext("2d");
      ctx.drawImage(camera, 0, 0, canvas.width, canvas.height);
      post(root.getAttribute("data-snapshot"), { token: token, image: canvas.toDataURL("image/jpeg", 0.7) })
        .then(function (answer) { if (answer && answer.next) snapshot(answer.next); });
    }, delaySeconds * 1000);
  }

  function start() {
    post(root.getAttribute("data-start"), { deviceID: deviceID, position: media ? media.currentTime : null }).then(function (answer) {
      if (!answer.token) { show("无法开始学习：" + (answer.reason || answer.rejection || "")); return; }
      token = answer.token;
      show("计时中");
      timer = setInterval(beat, interval * 1000);
      if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
        navigator.mediaDevices.getUserMedia({ video: true, audio: false }).then(function (s) {
          stream = s;
          camera.srcObject = s;
          snapshot(answer.snapshotIn);
        }).catch(function () { show("未能打开摄像头：学习将被记为缺少抓拍"); });
      }
    });
  }
  if (studiedEl) studiedEl.textContent = root.getAttribute("data-studied") || "0";
  start();
})();
