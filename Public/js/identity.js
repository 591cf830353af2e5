// 实名认证: reads the ID card from the reader's local service, asks the server to admit the
// candidate, then takes the live photo with the webcam and shows the three photos side by side.
(function () {
  var root = document.querySelector("[data-identity]");
  if (!root) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var result = root.querySelector("[data-identity-result]");
  var compare = root.querySelector("[data-compare]");
  var cameraBox = root.querySelector("[data-camera-box]");
  var video = root.querySelector("[data-camera]");
  var canvas = root.querySelector("[data-camera-canvas]");
  var photoAction = null, stream = null;

  function say(text, ok) {
    result.textContent = text;
    result.className = "identity-result " + (ok ? "ok" : "refused");
  }
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return { ok: false, message: "服务器返回错误（" + r.status + "）", reasons: [] }; }); });
  }
  function startCamera(action, registered, card) {
    photoAction = action;
    compare.hidden = false;
    root.querySelector("[data-photo-registered]").src = registered || "";
    var cardImg = root.querySelector("[data-photo-card]");
    cardImg.hidden = !card;
    cardImg.parentNode.querySelector("figcaption").textContent = card ? "身份证照片" : "身份证照片（阅读器未提供）";
    if (card) { cardImg.src = card + "&t=" + Date.now(); }
    cameraBox.hidden = false;
    if (stream || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    navigator.mediaDevices.getUserMedia({ video: true, audio: false }).then(function (s) {
      stream = s; video.srcObject = s;
    }).catch(function () { say("无法打开摄像头，请检查摄像头连接和浏览器权限", false); });
  }

  root.querySelector("[data-read-card]").addEventListener("click", function () {
    say("正在读卡…", true);
    fetch(root.getAttribute("data-reader"), { method: "GET" })
      .then(function (r) { if (!r.ok) throw new Error("reader " + r.status); return r.json(); })
      .then(function (card) {
        return post(root.getAttribute("data-check"), { plan: root.getAttribute("data-plan"), room: root.getAttribute("data-room"),
          idNumber: card.idNumber || "", name: card.name || "", validUntil: card.validUntil || null, photo: card.photo || null, method: "reader" });
      })
      .then(function (answer) {
        if (answer.ok) {
          say(answer.message, true);
          startCamera(answer.livePhotoAction, answer.registeredPhoto, answer.cardPhoto);
        } else {
          say(answer.message + (answer.reasons && answer.reasons.length ? "：" + answer.reasons.join("；") : ""), false);
        }
      })
      .catch(function () { say("无法连接身份证阅读器服务（" + root.getAttribute("data-reader") + "），请检查阅读器，或使用人工核验", false); });
  });

  document.querySelectorAll("[data-photo-for]").forEach(function (button) {
    button.addEventListener("click", function () {
      startCamera(button.getAttribute("data-photo-for"), button.getAttribute("data-registered"), null);
      say("请对准考生拍照", true);
    });
  });

  root.querySelector("[data-take-photo]").addEventListener("click", function () {
    if (!photoAction || !stream) { say("摄像头尚未就绪", false); return; }
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = canvas.toDataURL("image/jpeg", 0.8);
    post(photoAction, { photo: image }).then(function (answer) {
      if (answer.livePhoto) {
        root.querySelector("[data-photo-live]").src = answer.livePhoto + "&t=" + Date.now();
        say("现场照片已保存", true);
      } else {
        say(answer.reason || answer.message || "现场照片保存失败", false);
      }
    });
  });
})();
