/* The staff app's service worker (served as /manage/sw.js, scope /manage/).

   It keeps the picket form and the files it needs, so the form opens with no signal, and wakes
   the open pages to send the reports waiting on the phone when Background Sync says the
   connection is back. The reports themselves are kept by static/js/offline.js (IndexedDB).
   Sign-out deletes all of it (the script, and the server's Clear-Site-Data header). */
"use strict";

var CACHE = "campaign-staff-v1";
var PICKET = "/manage/events/picket";
var FILES = ["/static/js/offline.js", "/static/css/site.css", "/static/css/staff.css", "/static/favicon.svg"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) {
        return caches["delete"](n);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

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
  if (request.mode === "navigate" && url.pathname === PICKET) {
    // The network first; the last picket form seen when there is none.
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(PICKET, copy); });
        }
        return response;
      }, function () {
        return caches.match(PICKET).then(function (cached) {
          return cached || Response.error();
        });
      })
    );
    return;
  }
  if (FILES.indexOf(url.pathname) >= 0) {
    event.respondWith(
      fetch(request).then(null, function () {
        return caches.match(url.pathname).then(function (cached) { return cached || Response.error(); });
      })
    );
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
