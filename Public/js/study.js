// The lesson page (在线学习): sends a signed heartbeat every interval while the learner studies,
// carrying where the media is, whether it is paused, ended or waiting, its rate and whether the
// page is visible; the server decides what counts. Takes webcam snapshots at the random times the
// server gives.
//
// Video and audio: a study session opens when playback starts, and again after every seek, so the
// server always measures from where the player really is. Once a beat has reported the media
// stopped (paused, ended, waiting) the page stops beating, since the server would credit nothing
// more; playing again opens a new session. Seeking forward is possible only within what was
// already watched, and the rate stays at 1×. A document lesson beats from the moment it opens.
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
  // Bumped whenever a session opens or beating stops, so a late answer for an older one is ignored.
  var generation = 0;
  var snapshotTimer = null, snapshotDelay = null, seekTimer = null;

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
      .then(function (r) { return r.json().catch(function () { return { stop: true, rejection: "服务器无响应" }; }); })
      .catch(function () { return { network: true, rejection: "网络连接中断" }; });
  }
  function show(text) { if (status) status.textContent = text; }
  function update(answer) {
    if (!studiedEl || typeof answer.studiedSeconds !== "number") return;
    studiedEl.setAttribute("data-studied-seconds", answer.studiedSeconds.toFixed(3));
    if (answer.studiedLabel) studiedEl.textContent = answer.studiedLabel;
  }
  function stopped() { return !!media && (media.paused || media.ended || media.readyState < 3); }

  function halt() {
    generation += 1;
    token = null;
    clearInterval(timer);
    timer = null;
  }

  function beat() {
    if (!token) return;
    var mine = generation;
    var stoppedNow = stopped();
    var body = { token: token, visible: document.visibilityState === "visible",
      playbackRate: media ? media.playbackRate : 1, position: media ? media.currentTime : null,
      paused: media ? media.paused : false, ended: media ? media.ended : false, waiting: media ? media.readyState < 3 : false,
      secondsSinceInteraction: (Date.now() - lastInteraction) / 1000, deviceID: deviceID };
    post(root.getAttribute("data-heartbeat"), body).then(function (answer) {
      if (mine !== generation) return;
      if (answer.network) { show("本次未计学时：" + answer.rejection); return; }
      update(answer);
      if (answer.stop || !answer.token) {
        halt();
        show("已停止计时：" + (answer.rejection || "") + (media ? "。继续播放即重新开始计时。" : "。请刷新页面重新进入学习。"));
        return;
      }
      token = answer.token;
      if (media && stoppedNow) {
        // Nothing more would count until the media moves again; playing opens a new session.
        halt();
        show(media.ended ? "播放结束，计时已停止" : "已暂停，计时已停止；继续播放即重新计时");
        return;
      }
      show(answer.rejection ? "本次未计学时：" + answer.rejection : "计时中，本次计入 " + Math.round(answer.credited) + " 秒");
    });
  }

  function scheduleSnapshot(delaySeconds) {
    if (delaySeconds) snapshotDelay = delaySeconds;
    if (!stream || !snapshotDelay || snapshotTimer) return;
    snapshotTimer = setTimeout(function () {
      snapshotTimer = null;
      if (!token || !stream) return; // taken once study goes on again
      var ctx = canvas.getContext("2d");
      ctx.drawImage(camera, 0, 0, canvas.width, canvas.height);
      snapshotDelay = null;
      post(root.getAttribute("data-snapshot"), { token: token, image: canvas.toDataURL("image/jpeg", 0.7) })
        .then(function (answer) { if (answer && answer.next) scheduleSnapshot(answer.next); });
    }, snapshotDelay * 1000);
  }

  // Opens a study session from where the player is now.
  function begin() {
    halt();
    var mine = generation;
    var body = { deviceID: deviceID, position: media ? media.currentTime : null, paused: stopped() };
    post(root.getAttribute("data-start"), body).then(function (answer) {
      if (mine !== generation) return;
      if (!answer.token) { show("无法开始学习：" + (answer.reason || answer.rejection || "")); return; }
      token = answer.token;
      update(answer);
      show("计时中");
      timer = setInterval(beat, interval * 1000);
      scheduleSnapshot(answer.snapshotIn);
    });
  }

  if (media) {
    // How far any session has played: seeking beyond it is fast-forwarding, and is undone.
    var reached = parseFloat(root.getAttribute("data-reached")) || 0;
    var resume = parseFloat(root.getAttribute("data-resume")) || 0;
    media.addEventListener("loadedmetadata", function () {
      if (resume > 0 && resume < media.duration - 1) media.currentTime = resume;
    });
    media.addEventListener("timeupdate", function () {
      if (!media.seeking && media.currentTime > reached && media.currentTime - reached < 3) reached = media.currentTime;
    });
    media.addEventListener("seeking", function () {
      if (media.currentTime > reached + 1) {
        media.currentTime = reached;
        show("不能快进，只能回看已播放的部分");
      }
    });
    media.addEventListener("ratechange", function () { if (media.playbackRate !== 1) media.playbackRate = 1; });
    media.addEventListener("playing", function () { if (!timer) begin(); });
    media.addEventListener("seeked", function () {
      // After a seek the position no longer follows the clock: measure afresh from here.
      clearTimeout(seekTimer);
      seekTimer = setTimeout(function () { if (timer && !media.paused) begin(); }, 300);
    });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    navigator.mediaDevices.getUserMedia({ video: true, audio: false }).then(function (s) {
      stream = s;
      camera.srcObject = s;
      scheduleSnapshot();
    }).catch(function () { show("未能打开摄像头：学习将被记为缺少抓拍"); });
  }
  if (!media) begin();
})();
