// SafeCert — the little JavaScript the pages need. No build step.
(function () {
  "use strict";

  // Confirmation dialogs: a form with data-confirm asks before it submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (!question || form.dataset.confirmed === "1") return;
    event.preventDefault();
    var dialog = document.createElement("dialog");
    dialog.className = "confirm";
    var text = document.createElement("p");
    text.textContent = question;
    var actions = document.createElement("div");
    actions.className = "actions";
    var cancel = document.createElement("button");
    cancel.type = "button"; cancel.textContent = "取消"; cancel.className = "plain";
    var ok = document.createElement("button");
    ok.type = "button"; ok.textContent = "确定"; ok.className = "primary"; ok.setAttribute("data-testid", "confirm-ok");
    actions.appendChild(cancel); actions.appendChild(ok);
    dialog.appendChild(text); dialog.appendChild(actions);
    document.body.appendChild(dialog);
    cancel.addEventListener("click", function () { dialog.close(); dialog.remove(); });
    ok.addEventListener("click", function () {
      dialog.close(); dialog.remove();
      form.dataset.confirmed = "1";
      form.submit();
    });
    dialog.showModal();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    // Click the captcha for a new one.
    if (target.matches && target.matches("img.captcha[data-refresh]")) {
      target.src = target.getAttribute("data-refresh") + "&t=" + Date.now();
    }
    if (target.matches && target.matches("[data-print]")) { window.print(); }
  });

  // A credit code typed anywhere fills in the name of a known enterprise.
  var lookupMeta = document.querySelector('meta[name="organization-lookup"]');
  var lookupURL = lookupMeta ? lookupMeta.getAttribute("content") : "";
  document.querySelectorAll("[data-credit-lookup]").forEach(function (input) {
    var key = input.getAttribute("data-credit-lookup");
    var result = document.querySelector('[data-lookup-result="' + key + '"]');
    var nameInput = document.querySelector('[data-fill-target="' + key + '"]');
    input.addEventListener("change", function () {
      var code = input.value.trim();
      if (code.length !== 18) { return; }
      fetch(lookupURL + "?credit_code=" + encodeURIComponent(code), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !result) return;
          if (data.error) { result.textContent = data.error; return; }
          if (data.name) {
            result.textContent = "已登记单位：" + data.name;
            if (nameInput && !nameInput.value) nameInput.value = data.name;
          } else {
            result.textContent = data.warning || "未找到已登记的单位";
          }
        });
    });
  });
  // The person form: gender and birth date are asked only for documents that don't carry them.
  document.querySelectorAll("select[data-document-type]").forEach(function (select) {
    var form = select.form;
    var sync = function () {
      var asked = select.value !== "residentID";
      form.querySelectorAll("[data-document-asks]").forEach(function (label) { label.hidden = !asked; });
    };
    select.addEventListener("change", sync);
    sync();
  });
  // Import progress: poll the job until it finishes, then show the report.
  var job = document.querySelector("[data-import-status]");
  if (job && job.getAttribute("data-finished") === "0") {
    var bar = job.querySelector("[data-progress]");
    var width = 5;
    var poll = function () {
      fetch(job.getAttribute("data-import-status"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          ["processed", "saved", "skipped", "invalid"].forEach(function (k) {
            var el = job.querySelector('[data-count="' + k + '"]');
            if (el) el.textContent = s[k];
          });
          if (s.finished) { window.location.reload(); return; }
          width = Math.min(95, width + 5);
          if (bar) bar.style.width = width + "%";
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  }
})();

// "Select all" boxes: <input type="checkbox" data-select-all="ids"> ticks every box named ids in its form.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box || !box.getAttribute || !box.getAttribute("data-select-all")) return;
  var form = box.form || document;
  var name = box.getAttribute("data-select-all");
  form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (b) { b.checked = box.checked; });
});
