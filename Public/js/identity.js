// 实名认证: reads the ID card from the reader's local service, asks the server to admit the
// candidate, marks the candidate's row, then takes the live photo with the webcam and shows the
// three photos side by side.
(function () {
  // Choosing a plan or a room reloads the list for it, so the room read into is the one shown.
  var filters = document.querySelector("[data-identity-filters]");
  if (filters) {
    var planSelect = filters.querySelector("select[name=plan]");
    var roomSelect = filters.querySelector("select[name=room]");
    if (planSelect) planSelect.addEventListener("change", function () {
      if (roomSelect) roomSelect.disabled = true; // the new plan's first room
      filters.submit();
    });
    if (roomSelect) roomSelect.addEventListener("change", function () { filters.submit(); });
  }

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
  // A figure shows its image only once one has loaded: no empty or broken frames.
  function show(img, src, missing) {
    var caption = img.parentNode.querySelector("figcaption");
    img.hidden = true;
    img.onload = function () { img.hidden = false; caption.textContent = img.getAttribute("alt"); };
    img.onerror = function () { img.hidden = true; caption.textContent = missing; };
    caption.textContent = src ? img.getAttribute("alt") + "（加载中）" : missing;
    if (src) { img.src = src; } else { img.removeAttribute("src"); }
  }
  function startCamera(action, registered, card) {
    photoAction = action;
    compare.hidden = false;
    show(root.querySelector("[data-photo-registered]"), registered, "报名照片（未上传）");
    show(root.querySelector("[data-photo-card]"), card ? card + "&t=" + Date.now() : null, "身份证照片（阅读器未提供）");
    show(root.querySelector("[data-photo-live]"), null, "现场照片（尚未拍摄）");
    cameraBox.hidden = false;
    if (stream || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    navigator.mediaDevices.getUserMedia({ video: true, audio: false }).then(function (s) {
      stream = s; video.srcObject = s;
    }).catch(function () { say("无法打开摄像头，请检查摄像头连接和浏览器权限", false); });
  }
  // The candidate's row in the list shows the check at once, without reloading the page.
  function markRow(answer) {
    var row = document.querySelector('tr[data-candidate="' + answer.candidate + '"]');
    if (!row) return;
    var state = row.querySelector("[data-state]");
    if (state && answer.state) {
      var wasChecked = state.getAttribute("data-state") !== "not_arrived" && state.getAttribute("data-state") !== "absent";
      state.textContent = answer.state;
      state.className = "status status-" + answer.stateKey;
      state.setAttribute("data-state", answer.stateKey);
      var count = document.querySelector("[data-admitted-count]");
      if (count && !wasChecked) count.textContent = String(parseInt(count.textContent, 10) + 1);
    }
    var method = row.querySelector("[data-method]");
    if (method && answer.method) method.textContent = answer.method;
  }

  root.querySelector("[data-read-card]").addEventListener("click", function () {
    say("正在读卡…", true);
    var reader = root.getAttribute("data-reader");
    fetch(reader, { method: "GET" })
      .then(function (r) {
        // The reader answered: without a card it says so (404 or an error), it is not unreachable.
        return r.json().catch(function () { return {}; }).then(function (card) {
          if (!r.ok || !card.idNumber) {
            var why = card && card.error ? "（" + card.error + "）" : "";
            say("未读到身份证" + why + "：请将身份证放在阅读器上，再点击“读卡并认证”", false);
            return null;
          }
          return card;
        });
      }, function () {
        say("无法连接身份证阅读器服务（" + reader + "），请检查阅读器，或使用人工核验", false);
        return null;
      })
      .then(function (card) {
        if (!card) return null;
        return post(root.getAttribute("data-check"), { plan: root.getAttribute("data-plan"), room: root.getAttribute("data-room"),
          idNumber: card.idNumber || "", name: card.name || "", validUntil: card.validUntil || null, photo: card.photo || null, method: "reader" });
      })
      .then(function (answer) {
        if (!answer) return;
        if (answer.ok) {
          say(answer.message, true);
          markRow(answer);
          startCamera(answer.livePhotoAction, answer.registeredPhoto, answer.cardPhoto);
        } else {
          say(answer.message + (answer.reasons && answer.reasons.length ? "：" + answer.reasons.join("；") : ""), false);
        }
      })
      .catch(function () { say("实名认证请求失败，请重试或使用人工核验", false); });
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
        show(root.querySelector("[data-photo-live]"), answer.livePhoto + "&t=" + Date.now(), "现场照片（加载失败）");
        say("现场照片已保存", true);
      } else {
        say(answer.reason || answer.error || answer.message || "现场照片保存失败", false);
      }
    });
  });
})();
