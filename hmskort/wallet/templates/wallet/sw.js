/* HMS-kort wallet service worker: keeps the wallet page, its live QR tokens,
   photos and assets so the cards can be shown without a network.
   Network first (fresh status when online), the cache when offline. */
"use strict";
const CACHE = {{ cache_name_json|safe }};
const SCOPE = {{ scope_json|safe }};
const PRECACHE = {{ precache_json|safe }};
const WALLET = PRECACHE[0];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("hmskort-wallet-") && k !== CACHE).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.redirected || response.type === "opaqueredirect" ||
          (url.pathname === WALLET && response.status !== 200)) {
        // Logged out (sent to the login page): forget the personal data kept here.
        if (url.pathname.startsWith(SCOPE)) caches.delete(CACHE);
        return response;
      }
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    }).catch(() =>
      caches.open(CACHE)
        .then((cache) => cache.match(request, {ignoreSearch: url.pathname === WALLET, ignoreVary: true}))
        .then((hit) => hit || Response.error())
    )
  );
});
