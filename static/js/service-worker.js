/* The staff app's service worker, one per language: served as <language>/manage/sw.js, its
   scope is <language>/manage/ (/manage/, /ru/manage/, /kk/manage/).

   It keeps the picket form of its language with every file that page loads, so the form opens
   with no signal and looks as it does online; any other staff page asked for with no signal
   gets a short page that says so and leads to the form. It wakes the open pages to send the
   reports waiting on the phone when Background Sync says the connection is back. The reports
   themselves are kept by static/js/offline.js (IndexedDB). Sign-out deletes all of it (the
   script, and the server's Clear-Site-Data header). */
"use strict";

var SCOPE = new URL(self.registration.scope).pathname;
var PICKET = SCOPE + "events/picket";
var OFFLINE = SCOPE + "offline";
var PREFIX = "campaign-staff-";
var CACHE = PREFIX + "v2:" + SCOPE;
// The files a page links to: its stylesheets, scripts and icons (all from this site).
var LINKED = /(?:href|src)="([^"]*\/static\/[^"]*)"/g;

function unescaped(url) {
  return url.replace(/&amp;/g, "&");
}

// A page and the files it loads, kept for when there is no signal. A page that does not come
// (signed out, a redirect) is not kept, and its absence is no failure.
function keepPage(cache, path) {
  return fetch(path, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    if (!response.ok || response.type !== "basic") {
      return null;
    }
    return response.clone().text().then(function (html) {
      var files = [];
      var found;
      LINKED.lastIndex = 0;
      while ((found = LINKED.exec(html)) !== null) {
        files.push(unescaped(found[1]));
      }
      return cache.put(path, response).then(function () {
        return Promise.all(files.map(function (file) {
          return cache.add(file).then(null, function () { return null; });
        }));
      });
    });
  }).then(null, function () { return null; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all([keepPage(cache, PICKET), keepPage(cache, OFFLINE)]);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      // This scope's older versions (and the first version's one cache): never another
      // language's worker's cache.
      var old = names.filter(function (name) {
        var ours = name.indexOf(PREFIX) === 0 && name.slice(-(SCOPE.length + 1)) === ":" + SCOPE;
        return name !== CACHE && (ours || name === PREFIX + "v1");
      });
      return Promise.all(old.map(function (name) { return caches["delete"](name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// The network first; what was kept when there is none.
function networkFirst(request, key, fallback) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === "basic" && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
    }
    return response;
  }, function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(key).then(function (kept) {
        return kept || (fallback ? cache.match(fallback) : null);
      });
    }).then(function (kept) { return kept || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && request.mode === "navigate" && url.pathname === PICKET) {
    // The signal was too weak to post the report: the page's script kept a copy before the
    // post; back to the picket form, where it shows as waiting to send.
    event.respondWith(
      fetch(request).then(null, function () {
        return Response.redirect(PICKET + "?saved=1", 303);
      })
    );
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    if (url.pathname === PICKET) {
      event.respondWith(networkFirst(request, PICKET, null));
    } else if (url.pathname.indexOf(SCOPE) === 0) {
      // Any other staff page: with no signal, the page that says so.
      event.respondWith(
        fetch(request).then(null, function () {
          return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE); })
            .then(function (kept) { return kept || Response.error(); });
        })
      );
    }
    return;
  }
  if (url.pathname.indexOf("/static/") >= 0) {
    // A file a staff page loads: kept as it is fetched, so the pages kept look right offline.
    event.respondWith(networkFirst(request, request, null));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "send-pickets") {
    return;
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then(function (clients) {
      clients.forEach(function (client) { client.postMessage("send-pickets"); });
    })
  );
});
