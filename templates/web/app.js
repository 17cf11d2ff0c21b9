// Small helpers for the pages: live checks on the entry form, workflow buttons, target forms.
// Requests carry the session cookie and the page's CSRF token.
"use strict";
const csrf = () => document.querySelector('meta[name="csrf"]')?.content || "";

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data?.error?.message || `请求失败（${response.status}）`);
  return data;
}

function entryValues(form) {
  const values = [];
  for (const row of form.querySelectorAll("tr[data-code]")) {
    const text = row.querySelector("input.value").value.trim().replace(/,/g, "");
    if (text === "" || isNaN(Number(text))) continue;
    const comment = row.querySelector("input.comment").value.trim();
    values.push({ indicator: row.dataset.code, value: Number(text), ...(comment ? { comment } : {}) });
  }
  return values;
}

// Shows the warnings of the submission checks beside each field before saving.
function watchEntry(form) {
  let timer;
  const check = async () => {
    const values = entryValues(form);
    for (const cell of form.querySelectorAll("td.warn")) cell.textContent = "";
    if (values.length === 0) return;
    try {
      const result = await api("POST", "/api/v1/values/check",
        { region: form.dataset.region, period: form.dataset.period, values });
      for (const w of result.warnings) {
        const cell = document.getElementById("warn-" + w.indicator);
        if (cell) cell.insertAdjacentHTML("beforeend", `<span class="warning">${escapeHtml(w.message)}</span>`);
      }
      const status = document.getElementById("submit-status");
      if (status) status.textContent = "";
      for (const e of result.errors) {
        const m = /^values\[(\d+)\]/.exec(e.field);
        const code = m ? values[Number(m[1])].indicator : null;
        const cell = code && document.getElementById("warn-" + code);
        if (cell) cell.insertAdjacentHTML("beforeend", `<span class="error-text">${escapeHtml(e.message)}</span>`);
        else if (status) status.textContent = e.message;
      }
    } catch (err) { console.warn(err); }
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 350); });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

async function workflow(button, action) {
  const { region, period } = button.dataset;
  const body = action === "return" ? { comment: prompt("退回原因：") || "" } : {};
  try {
    await api("POST", `/api/v1/workflow/${region}/${period}/${action}`, body);
    location.reload();
  } catch (err) { alert(err.message); }
}

function formObject(form) {
  return Object.fromEntries(new FormData(form).entries());
}

async function setTarget(form) {
  const f = formObject(form);
  try {
    const t = await api("PUT", "/api/v1/targets",
      { region: f.region, indicator: f.indicator, year: Number(f.year), value: Number(f.value) });
    form.querySelector(".result").textContent = `已保存：${t.value}`;
  } catch (err) { form.querySelector(".result").textContent = err.message; }
}

async function split(form, apply) {
  const f = formObject(form);
  const body = { parent: f.parent, indicator: f.indicator, year: Number(f.year), method: f.method };
  if (f.total.trim() !== "") body.total = Number(f.total);
  const out = form.querySelector(".preview");
  try {
    const r = await api("POST", `/api/v1/targets/decompose${apply ? "" : "?dry_run=true"}`, body);
    const rows = r.children.map(c => `<tr><td>${escapeHtml(c.region)}</td><td class="n">${c.value}</td></tr>`).join("");
    const sum = r.children.reduce((s, c) => s + c.value, 0);
    out.innerHTML = `<table class="data"><tbody>${rows}<tr><th>合计</th><th class="n">${+sum.toFixed(6)}</th></tr>` +
      `<tr><td>上级目标</td><td class="n">${r.parent.value}</td></tr></tbody></table>` +
      (apply ? "<p>已写入。</p>" : "<p class=\"muted\">预览，尚未写入。</p>");
  } catch (err) { out.textContent = err.message; }
}

document.addEventListener("DOMContentLoaded", () => {
  const entry = document.getElementById("entry-form");
  if (entry) watchEntry(entry);
  // choosing another region shows its form (no inline handlers: the pages' CSP allows none)
  for (const select of document.querySelectorAll("select[data-submit-on-change]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  document.addEventListener("click", event => {
    const stepButton = event.target.closest("[data-step]");
    if (stepButton) {
      split(stepButton.closest("form"), stepButton.dataset.step === "apply");
      return;
    }
    const button = event.target.closest("[data-action]");
    if (!button || button.tagName === "FORM") return;
    const action = button.dataset.action;
    if (action === "submit-quarter") {
      const status = document.getElementById("submit-status");
      api("POST", `/api/v1/workflow/${button.dataset.region}/${button.dataset.period}/submit`, {})
        .then(() => { status.textContent = "已提交审核"; status.id = "submitted"; })
        .catch(err => { status.textContent = err.message; });
    } else if (action === "approve" || action === "return") {
      workflow(button, action);
    }
  });
  // a plan's text chosen as a file is read into the form's text area
  for (const input of document.querySelectorAll("input[type=file][data-read-into]")) {
    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (file) document.getElementById(input.dataset.readInto).value = await file.text();
    });
  }
  for (const form of document.querySelectorAll('form[data-action="set-target"]')) {
    form.addEventListener("submit", event => { event.preventDefault(); setTarget(form); });
  }
});
