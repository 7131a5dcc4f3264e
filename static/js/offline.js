/* Picket reports that wait on the phone while there is no signal (progressive enhancement:
   without this script the picket form posts as usual).

   A report is saved in IndexedDB before it is sent; it leaves the phone only when the server
   answers that it is logged (the report's client_key makes a second send the same event).
   A refused report stays, with what to do: sign in again, reload, or correct a field.
   While reports wait and the page is open it tries again by itself: the phone may count as
   online while the server cannot be reached, and then no 'online' event ever comes. */
(function () {
  "use strict";

  var DB_NAME = "campaign-offline";
  var STORE = "reports";
  var script = document.currentScript;
  var statusBox = document.getElementById("offline-status");
  if (!statusBox || !window.indexedDB || !window.fetch) {
    return;
  }
  var picketUrl = statusBox.getAttribute("data-picket-url");
  var sending = false;
  var lastNote = "";
  var lastLogged = null;  // the event the last report sent became: {url, title}
  // Every open tab of the site shows the same count: a tab that changes the reports says so.
  var channel = window.BroadcastChannel ? new BroadcastChannel("campaign-offline") : null;

  function say(name) {
    return statusBox.getAttribute("data-" + name) || "";
  }

  // -- storage ------------------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, act) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = act(tx.objectStore(STORE));
        tx.oncomplete = function () {
          db.close();
          resolve(result && "result" in result ? result.result : undefined);
        };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function allReports() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (list) {
      return (list || []).sort(function (a, b) { return a.savedAt - b.savedAt; });
    });
  }

  function changed(result) {
    if (channel) {
      channel.postMessage("changed");
    }
    return result;
  }

  function putReport(report) {
    return withStore("readwrite", function (store) { store.put(report); }).then(changed);
  }

  function removeReport(key) {
    return withStore("readwrite", function (store) { store["delete"](key); }).then(changed);
  }

  function clearReports() {
    return withStore("readwrite", function (store) { store.clear(); }).then(changed);
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // -- showing what waits -------------------------------------------------------------------

  // "2026-12-04" as the rest of the site writes it ("4 December 2026", "4 декабря 2026 г."),
  // from the page's patterns for each month (the browser's Intl knows some languages poorly).
  var datePatterns = [];
  try {
    datePatterns = JSON.parse(say("date-patterns") || "[]");
  } catch (error) {
    datePatterns = [];
  }

  function longDate(text) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    var pattern = parts && datePatterns[+parts[2] - 1];
    if (!pattern) {
      return text;
    }
    return pattern.replace("{d}", String(+parts[3])).replace("{y}", parts[1]);
  }

  function describe(report) {
    var fields = {};
    report.fields.forEach(function (pair) { if (!(pair[0] in fields)) { fields[pair[0]] = pair[1]; } });
    return [longDate(fields.date), fields.venue, fields.city, fields.organisation].filter(Boolean).join(" · ");
  }

  // Today on the phone, as a date field wants it: the server's day is UTC's, and a copy of the
  // form kept for offline use carries the day it was kept.
  function localToday() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function render() {
    return allReports().then(function (reports) {
      var count = reports.length;
      statusBox.hidden = count === 0 && !lastNote;
      statusBox.querySelector(".offline-count").textContent = String(count);
      var states = reports.map(function (r) { return r.state; });
      var note = lastNote;
      if (states.indexOf("signin") >= 0) {
        note = say("signin");
      } else if (states.indexOf("expired") >= 0) {
        note = say("expired");
      } else if (states.indexOf("invalid") >= 0) {
        note = say("invalid");
      } else if (count && !navigator.onLine) {
        note = say("offline");
      }
      statusBox.querySelector(".offline-message").textContent = note;
      var seeLogged = statusBox.querySelector(".offline-logged");
      if (seeLogged) {
        seeLogged.hidden = !(lastLogged && note === lastNote);
        if (lastLogged) {
          seeLogged.href = lastLogged.url;
          seeLogged.textContent = lastLogged.title;
        }
      }
      statusBox.querySelector(".offline-signin").hidden = states.indexOf("signin") < 0;
      statusBox.classList.toggle("offline-status-problem", /signin|expired|invalid/.test(states.join(" ")));
      renderList(reports);
    });
  }

  function renderList(reports) {
    var section = document.getElementById("offline-reports");
    var list = document.getElementById("offline-report-list");
    if (!section || !list) {
      return;
    }
    section.hidden = reports.length === 0;
    list.textContent = "";
    reports.forEach(function (report) {
      var item = document.createElement("li");
      item.textContent = describe(report) + " ";
      var state = document.createElement("span");
      state.className = "hint";
      state.textContent = report.message || say("saved");
      item.appendChild(state);
      (report.errors || []).forEach(function (error) {
        var line = document.createElement("p");
        line.className = "field-error";
        line.textContent = (error.label ? error.label + ": " : "") + error.message;
        item.appendChild(line);
      });
      if (report.state === "invalid") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.textContent = say("correct");
        button.addEventListener("click", function () { fillForm(report); });
        item.appendChild(button);
        // The report was wrong and the activist gives it up: it need not wait for sign-out.
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button-secondary";
        remove.textContent = say("remove");
        remove.addEventListener("click", function () {
          if (window.confirm(say("confirm-remove"))) {
            removeReport(report.key).then(render);
          }
        });
        item.appendChild(remove);
      }
      list.appendChild(item);
    });
  }

  function fillForm(report) {
    var form = document.querySelector("form[data-offline-picket]");
    if (!form) {
      return;
    }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit") {
        return;
      }
      var values = report.fields.filter(function (p) { return p[0] === el.name; }).map(function (p) { return p[1]; });
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) >= 0;
        var folded = el.checked && el.closest("details");
        if (folded) {
          folded.open = true;  // a chosen case folded away would look unchosen
        }
      } else if (values.length) {
        el.value = values[0];
      }
    });
    form.scrollIntoView();
  }

  // -- sending ------------------------------------------------------------------------------

  function currentToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function freshToken() {
    return fetch(picketUrl, {
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "text/html" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || !response.ok) {
        return null;  // signed out: the picket page sends to the sign-in page
      }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var input = page.querySelector("input[name=csrf_token]");
        var token = input ? input.value : null;
        if (token) {
          // The forms of this page (sign-out among them) work again too.
          document.querySelectorAll("input[name=csrf_token]").forEach(function (el) { el.value = token; });
        }
        return token;
      });
    });
  }

  function post(report, token) {
    var body = new FormData();
    report.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("csrf_token", token || "");
    body.set("client_key", report.key);
    return fetch(picketUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json" }
    });
  }

  // What the server said, as the report's new state ("sent" removes it from the phone).
  function outcome(response) {
    if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
      return Promise.resolve({ state: "signin" });
    }
    if (response.status === 400) {
      return Promise.resolve({ state: "expired" });
    }
    var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
    if (response.ok && json) {
      return response.json().then(function (answer) {
        return answer.logged ? { state: "sent", answer: answer } : { state: "error" };
      });
    }
    if (response.status === 422 && json) {
      return response.json().then(function (answer) {
        return { state: "invalid", errors: answer.errors || [] };
      });
    }
    return Promise.resolve({ state: "error" });
  }

  function sendOne(report) {
    return post(report, currentToken()).then(outcome).then(function (result) {
      if (result.state !== "expired") {
        return result;
      }
      // The stored token is stale (the session changed): fetch a new one, try once more.
      return freshToken().then(function (token) {
        if (token === null) {
          return { state: "signin" };
        }
        return post(report, token).then(outcome);
      });
    });
  }

  function settle(report, result) {
    if (result.state === "sent") {
      lastNote = result.answer.message || say("sent");
      lastLogged = result.answer.url ? { url: result.answer.url, title: result.answer.title || "" } : null;
      return removeReport(report.key).then(function () {
        if (channel) {
          // The tab that sent it may be one the activist is not looking at.
          channel.postMessage({ note: lastNote, logged: lastLogged });
        }
        return result;
      });
    }
    report.state = result.state;
    report.errors = result.errors || [];
    report.message = say(result.state);
    return putReport(report).then(function () { return result; });
  }

  // -- trying again ------------------------------------------------------------------------

  // A weak signal, a captive portal or the server down: the phone counts as online, so no
  // 'online' event will say when the server answers again. Soon at first, then less often
  // (about 3 s doubling up to about a minute), so that a server coming back up is not met by
  // every phone at once; a new connection or "Send now" starts again from the shortest wait.
  var RETRY_FIRST = 3000;
  var RETRY_MOST = 60000;
  var retryTimer = null;
  var retries = 0;

  function retryLater() {
    window.clearTimeout(retryTimer);
    var delay = Math.min(RETRY_MOST, RETRY_FIRST * Math.pow(2, Math.min(retries, 10)));
    retries += 1;
    delay *= 0.8 + 0.4 * Math.random();
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      sendAll();
    }, delay);
  }

  function stopRetrying() {
    window.clearTimeout(retryTimer);
    retryTimer = null;
  }

  function sendAfresh() {
    retries = 0;
    return sendAll();
  }

  // One tab sends at a time, and reads the reports only once it may: two open tabs trying
  // again do not post the same report together (its key would make it one event anyway).
  // "busy" when another tab is at it.
  function alone(act) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("campaign-offline-send", { ifAvailable: true }, function (lock) {
        return lock ? act() : "busy";
      });
    }
    return act();
  }

  // Send every waiting report, one after the other; stop at the first network failure. What
  // failed for want of the server is tried again later; what waits for the activist (signed
  // out, an expired page, a refused field) is not, until the next connection, visit or "Send
  // now".
  function sendAll() {
    if (sending || !navigator.onLine) {
      return render();  // offline: the 'online' event sends them
    }
    sending = true;
    stopRetrying();
    var again = false;
    var logged = 0;
    return alone(function () {
      return allReports().then(function (reports) {
        var todo = reports.filter(function (r) { return r.state !== "invalid"; });
        var chain = Promise.resolve();
        var stopped = false;
        todo.forEach(function (report) {
          chain = chain.then(function () {
            if (stopped) {
              return null;
            }
            return sendOne(report).then(function (result) {
              if (result.state === "signin") {
                stopped = true;  // the next ones would be refused alike
                again = false;
              } else if (result.state === "error") {
                again = true;  // the server could not take it now
              } else if (result.state === "sent") {
                logged += 1;
              }
              return settle(report, result);
            }, function () {
              stopped = true;  // no answer after all: they wait
              again = true;
            });
          });
        });
        return chain;
      });
    }).then(function (done) {
      return done === "busy";
    }, function () {
      return false;
    }).then(function (busy) {
      sending = false;
      if (again || busy) {
        retryLater();
      } else {
        retries = 0;
      }
      return render().then(function () {
        if (logged) {
          showLogged();
        }
      });
    });
  }

  // -- the picket form ----------------------------------------------------------------------

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") {
        fields.push([name, value]);
      }
    });
    return fields;
  }

  // A report posted while the phone thinks it is online goes the usual way (the server's page
  // answers, as without this script); a copy waits here, written before the page unloads,
  // in case the post never arrives (a signal too weak to carry it).
  var PENDING = "campaign-picket-pending:";

  function keepPending(report) {
    try {
      localStorage.setItem(PENDING + report.key, JSON.stringify(report));
    } catch (error) {
      return;  // storage full or refused: the post still goes
    }
  }

  // Copies of posts that never came back move to the reports that wait (a resend is harmless:
  // the key makes it the same event); the one this page shows, logged or refused, does not.
  function adoptPending(shownKeys) {
    var found = [];
    try {
      for (var i = localStorage.length - 1; i >= 0; i -= 1) {
        var name = localStorage.key(i);
        if (name && name.indexOf(PENDING) === 0) {
          found.push([name, localStorage.getItem(name)]);
        }
      }
    } catch (error) {
      return Promise.resolve();
    }
    return Promise.all(found.map(function (entry) {
      var report = null;
      try { report = JSON.parse(entry[1]); } catch (error) { report = null; }
      var keep = report && report.key && shownKeys.indexOf(report.key) < 0;
      return (keep ? putReport(report) : Promise.resolve()).then(function () {
        localStorage.removeItem(entry[0]);
      });
    }));
  }

  function watchForm(form) {
    var keyInput = form.querySelector("input[name=client_key]");
    if (!keyInput) {
      return [];
    }
    var shown = [];
    var dateInput = form.querySelector("input[name=date]");
    if (form.hasAttribute("data-refused")) {
      shown.push(keyInput.value);  // the server's answer: the report is in the form again
    } else {
      keyInput.value = newKey();  // a copy kept offline must not reuse an earlier key
      if (dateInput) {
        dateInput.value = localToday();
      }
    }
    form.addEventListener("submit", function (event) {
      var report = {
        key: keyInput.value || newKey(),
        fields: fieldsOf(form),
        savedAt: Date.now(),
        state: "waiting",
        errors: [],
        message: say("saved")
      };
      if (navigator.onLine) {
        keepPending(report);
        return;
      }
      event.preventDefault();
      putReport(report).then(function () {
        lastNote = say("saved");
        lastLogged = null;
        form.reset();
        keyInput.value = newKey();  // the next report is a new one
        if (dateInput) {
          dateInput.value = localToday();
        }
        return render();
      }).then(showSaved);
    });
    return shown;
  }

  // Brings the activist's eyes, and a screen reader, to what the page says now.
  function bringIntoView(target) {
    target.setAttribute("tabindex", "-1");
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }

  // After "Log it" with no signal the form is empty again: the activist, scrolled down at the
  // button, must see at once that the report is kept, not lost (and hear it, with a reader).
  function showSaved() {
    bringIntoView(document.getElementById("offline-reports-title") || statusBox);
  }

  // Sent later, the reports leave the list the activist was looking at, and the page would
  // show only the empty form below it: the thanks at the top comes into view instead. Not
  // while the activist fills in the next report (the status box, a live region, says it
  // then), nor on another staff page, where it says so at its top.
  function showLogged() {
    var section = document.getElementById("offline-reports");
    if (!section || statusBox.hidden) {
      return;
    }
    var active = document.activeElement;
    if (!active || active === document.body || statusBox.contains(active) || section.contains(active)) {
      bringIntoView(statusBox);
    }
  }

  // -- sign-out, the service worker ---------------------------------------------------------

  function watchSignOut() {
    var action = statusBox.getAttribute("data-login-url");
    document.querySelectorAll("form[action$='/logout']").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        allReports().then(function (reports) {
          if (reports.length && !window.confirm(say("confirm-signout"))) {
            return;
          }
          try {
            Object.keys(localStorage).forEach(function (name) {
              if (name.indexOf(PENDING) === 0) { localStorage.removeItem(name); }
            });
          } catch (error) {
            // nothing kept there, or no access: the server's Clear-Site-Data clears it
          }
          clearReports().then(null, function () { return null; }).then(function () {
            if (window.caches) {
              return caches.keys().then(function (names) {
                return Promise.all(names.map(function (name) { return caches["delete"](name); }));
              });
            }
            return null;
          }).then(null, function () { return null; }).then(function () { form.submit(); });
        }, function () { form.submit(); });
      });
    });
    return action;
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !script) {
      return;
    }
    var url = script.getAttribute("data-service-worker");
    var scope = script.getAttribute("data-scope");
    if (!scope || location.pathname.indexOf(scope) !== 0) {
      // Outside the staff area (a public page, the password change before the staff pages
      // open): the worker's script would not be served there.
      return;
    }
    navigator.serviceWorker.register(url, { scope: scope }).then(function (registration) {
      if (registration.sync) {
        return navigator.serviceWorker.ready.then(function (ready) {
          return ready.sync.register("send-pickets");
        });
      }
      return null;
    }).then(null, function () { return null; });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data === "send-pickets") {
        sendAll();
      }
    });
  }

  window.addEventListener("online", sendAfresh);
  window.addEventListener("offline", render);
  // Back to the phone's screen: try now rather than at the end of a long wait.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      sendAll();
    }
  });
  if (channel) {
    channel.onmessage = function (event) {
      if (event.data && event.data.note) {
        // Another tab logged a report: this one thanks for it too.
        lastNote = event.data.note;
        lastLogged = event.data.logged || null;
        render().then(showLogged);
        return;
      }
      render();
    };
  }
  var shownKeys = [];
  document.querySelectorAll("form[data-offline-picket]").forEach(function (form) {
    shownKeys = shownKeys.concat(watchForm(form));
  });
  var loggedKeys = [];
  document.querySelectorAll("[data-logged-key]").forEach(function (el) {
    loggedKeys.push(el.getAttribute("data-logged-key"));
  });
  shownKeys = shownKeys.concat(loggedKeys);
  var sendNow = document.getElementById("offline-send-now");
  if (sendNow) {
    sendNow.addEventListener("click", function () {
      if (!navigator.onLine) {
        lastNote = say("offline");
        lastLogged = null;
        render();
        return;
      }
      allReports().then(function (reports) {
        return Promise.all(reports.map(function (r) {
          if (r.state === "invalid") { return null; }
          r.state = "waiting";
          return putReport(r);
        }));
      }).then(sendAfresh);
    });
  }
  watchSignOut();
  registerWorker();
  // A report corrected in the form and logged the usual way no longer waits.
  Promise.all(loggedKeys.map(removeReport)).then(function () {
    return adoptPending(shownKeys);
  }).then(sendAll, sendAll);
})();
