// The session's time-out (exitprog/session.py; the markup: templates/includes/session_timeout.html).
//
// On a signed-in page: shows the warning `data-session-warning` seconds before the session
// ends (`data-session-age` seconds after this page was served, or after "Stay signed in"), and
// the "session has ended" note when it has. From then on, what the user types into the page's
// forms is kept in this tab's sessionStorage (never localStorage): after signing in again, the
// same form is filled in again with a visible note. A submit is kept too ("sent"), in case the
// server sends it to the login page; the next signed-in page clears it (the submit arrived),
// as does logging out.
(function () {
  "use strict";
  var PREFIX = "exitprog.draft:";
  var box = document.querySelector("[data-session-timeout]");
  var storage;
  try {
    storage = window.sessionStorage;
  } catch (e) {
    return; // storage refused: nothing to keep, nothing to restore
  }

  function drafts() {
    var found = [];
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        try {
          found.push({ key: key, draft: JSON.parse(storage.getItem(key)) });
        } catch (e) {
          found.push({ key: key, draft: null });
        }
      }
    }
    return found;
  }

  function clearDrafts() {
    drafts().forEach(function (d) { storage.removeItem(d.key); });
  }

  if (!box) {
    // Signed out (the login page): a submit that ended here did not arrive; keep its text.
    drafts().forEach(function (d) {
      if (d.draft && d.draft.state === "sent") {
        d.draft.state = "kept";
        storage.setItem(d.key, JSON.stringify(d.draft));
      }
    });
    return;
  }

  var user = box.getAttribute("data-session-user");
  var age = parseInt(box.getAttribute("data-session-age"), 10) * 1000;
  var warning = parseInt(box.getAttribute("data-session-warning"), 10) * 1000;
  // The server started counting before this page arrived: the page says "ended" a second
  // after the server has ended the session, never before (its login page would send a
  // still signed-in user straight back).
  var margin = 1000;
  var warningBox = box.querySelector("[data-session-warning-box]");
  var endedBox = box.querySelector("[data-session-ended-box]");
  var countdown = box.querySelector("[data-session-countdown]");
  var refreshForm = box.querySelector("[data-session-refresh]");
  var deadline = 0;
  var ended = false;
  var timers = [];
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("exitprog-session") : null;

  // --- Drafts -------------------------------------------------------------------------------

  function keptForms() {
    return Array.prototype.filter.call(
      document.querySelectorAll("main form"),
      function (form) {
        return (form.method || "").toLowerCase() === "post" && !form.hasAttribute("data-no-draft");
      }
    );
  }

  function formKey(form) {
    return PREFIX + window.location.pathname + "#" + keptForms().indexOf(form);
  }

  function kept(field) {
    if (!field.name || field.disabled || field.name === "csrfmiddlewaretoken") return false;
    var type = (field.type || "").toLowerCase();
    return ["password", "file", "submit", "button", "reset", "image"].indexOf(type) === -1;
  }

  function read(form) {
    var values = [];
    var typed = false;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) return;
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        values.push([field.name, field.value, field.checked]);
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          values.push([field.name, option.value, option.selected]);
        });
      } else {
        values.push([field.name, field.value, null]);
        if (type !== "hidden" && field.value !== field.defaultValue) typed = true;
      }
    });
    return { values: values, typed: typed };
  }

  function keep(form, state) {
    var data = read(form);
    storage.setItem(formKey(form), JSON.stringify({
      state: state, user: user, path: window.location.pathname, values: data.values
    }));
  }

  function fill(form, values) {
    var seen = {};
    values.forEach(function (entry) {
      var name = entry[0], value = entry[1], checked = entry[2];
      var fields = Array.prototype.filter.call(form.elements, function (f) {
        return f.name === name && kept(f);
      });
      fields.forEach(function (field) {
        var type = (field.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") {
          if (field.value === value) field.checked = checked;
        } else if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) {
            if (o.value === value) o.selected = checked;
          });
        } else {
          // Several fields of one name (rare): fill them in their order.
          var index = seen[name] || 0;
          if (fields.indexOf(field) === index) field.value = value;
        }
      });
      if (checked === null) seen[name] = (seen[name] || 0) + 1;
    });
  }

  function restore() {
    var template = box.querySelector("template[data-draft-restored-note]");
    var forms = keptForms();
    drafts().forEach(function (d) {
      var draft = d.draft;
      storage.removeItem(d.key);
      // A submit that arrived, someone else's text, or a broken entry: nothing to restore.
      if (!draft || draft.state !== "kept" || draft.user !== user) return;
      if (draft.path !== window.location.pathname) {
        storage.setItem(d.key, JSON.stringify(draft)); // another page's: keep it for that page
        return;
      }
      var form = forms[parseInt(d.key.slice(d.key.lastIndexOf("#") + 1), 10)];
      if (!form) return;
      fill(form, draft.values);
      if (template) {
        form.parentNode.insertBefore(template.content.cloneNode(true), form);
      }
    });
  }

  // --- The clock ----------------------------------------------------------------------------

  function later(fn, ms) {
    timers.push(window.setTimeout(fn, Math.max(0, ms)));
  }

  function show(element, visible) {
    if (element) element.hidden = !visible;
  }

  function tick() {
    if (ended) return;
    var left = Math.max(0, deadline - Date.now());
    var seconds = Math.ceil(left / 1000);
    countdown.textContent = Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
    if (left > 0 && !warningBox.hidden) later(tick, 1000);
  }

  function schedule(expiresAt) {
    timers.forEach(window.clearTimeout);
    timers = [];
    deadline = expiresAt;
    ended = false;
    show(warningBox, false);
    show(endedBox, false);
    later(function () { show(warningBox, true); tick(); }, deadline - warning - Date.now());
    later(end, deadline - Date.now());
  }

  function end() {
    ended = true;
    show(warningBox, false);
    show(endedBox, true);
    keptForms().forEach(function (form) {
      if (read(form).typed) keep(form, "kept");
    });
  }

  function served() {
    var expiresAt = Date.now() + age + margin;
    schedule(expiresAt);
    if (channel) channel.postMessage({ expiresAt: expiresAt });
  }

  if (channel) {
    // Another tab of this browser made a request: the session lasts from then on.
    channel.onmessage = function (event) {
      var at = event.data && event.data.expiresAt;
      if (typeof at === "number" && at > deadline) schedule(at);
    };
  }

  refreshForm.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(refreshForm.action, {
      method: "POST",
      body: new FormData(refreshForm),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("application/json") !== 0) throw new Error("ended");
      return response.json();
    }).then(served).catch(end);
  });

  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (ended && form && keptForms().indexOf(form) !== -1) keep(form, "kept");
  });
  document.addEventListener("change", function (event) {
    var form = event.target && event.target.form;
    if (ended && form && keptForms().indexOf(form) !== -1) keep(form, "kept");
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-logout")) {
      clearDrafts();
      return;
    }
    if (keptForms().indexOf(form) === -1) return;
    if (ended) {
      // Sending it would only lead to the login page: keep it, sign in, and come back here.
      event.preventDefault();
      keep(form, "kept");
      window.location.assign(box.querySelector("[data-session-login]").href);
      return;
    }
    keep(form, "sent");
  });

  restore();
  served();
})();
