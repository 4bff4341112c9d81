/* The digital HMS card: draws each valid card's live QR code for the current
   30-second window from tokens issued ahead (so it works offline), fetches fresh
   tokens when online, and registers the service worker for offline use. */
(function () {
  "use strict";
  var root = document.querySelector("[data-wallet]");
  var data = document.getElementById("wallet-tokens");
  if (!root || !data) return;
  var state = JSON.parse(data.textContent);
  var prefix = root.getAttribute("data-qr-prefix");
  // Fetch more tokens when fewer than this many seconds are left on the device.
  var REFRESH_BEFORE = 30 * 60;
  var fetching = false;
  var lastTry = 0;

  function now() { return Math.floor(Date.now() / 1000); }

  function tokenFor(number, t) {
    var list = state.cards[number] || [];
    var start = t - (t % state.window);
    for (var i = 0; i < list.length; i++) {
      if (list[i][0] === start) return list[i][1];
    }
    return null;
  }

  function draw(box, url) {
    var qr = qrcode(0, "M");
    qr.addData(url);
    qr.make();
    box.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true });
  }

  // The fresh set decides which cards get codes and for how long; a window already
  // on the device keeps its code, so the QR on the screen does not change mid-window.
  function merged(fresh) {
    Object.keys(fresh.cards).forEach(function (number) {
      var known = {};
      (state.cards[number] || []).forEach(function (pair) { known[pair[0]] = pair[1]; });
      fresh.cards[number] = fresh.cards[number].map(function (pair) {
        return known[pair[0]] ? [pair[0], known[pair[0]]] : pair;
      });
    });
    return fresh;
  }

  // An older set only lengthens the cards the page already shows (never brings one back).
  function extended(older) {
    Object.keys(state.cards).forEach(function (number) {
      var list = state.cards[number];
      var last = list.length ? list[list.length - 1][0] : 0;
      (older.cards[number] || []).forEach(function (pair) {
        if (pair[0] > last) list.push(pair);
      });
    });
    state.until = older.until;
    return state;
  }

  function refresh() {
    // Offline, the service worker answers from its cache (the tokens fetched last time).
    if (fetching || now() - lastTry < 60) return;
    fetching = true;
    lastTry = now();
    fetch(root.getAttribute("data-tokens-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fresh) {
        // The newest set wins (online: fresh from the server; offline: whichever is newer).
        if (!fresh || !fresh.cards) return;
        if (fresh.issued_at >= state.issued_at) {
          state = merged(fresh);
        } else if (fresh.until > state.until) {
          state = extended(fresh);  // an older set (e.g. cached offline) that reaches further
        } else {
          return;
        }
        root.setAttribute("data-tokens-until", String(state.until));
        render();
      })
      .catch(function () {})
      .then(function () { fetching = false; });
  }

  function render() {
    var t = now();
    var left = state.window - (t % state.window);
    var cards = root.querySelectorAll("[data-card]");
    for (var i = 0; i < cards.length; i++) {
      var card = cards[i];
      var box = card.querySelector("[data-qr]");
      if (!box || typeof qrcode === "undefined") continue;
      var token = tokenFor(card.getAttribute("data-card"), t);
      var missing = card.querySelector("[data-qr-missing]");
      if (missing) missing.hidden = !!token;
      if (!token) {
        box.innerHTML = "";
        box.removeAttribute("data-token");
        continue;
      }
      if (box.getAttribute("data-token") !== token) {
        draw(box, prefix + token);
        box.setAttribute("data-token", token);
        box.setAttribute("data-url", prefix + token);
      }
      var countdown = card.querySelector("[data-countdown]");
      if (countdown) countdown.textContent = String(left);
    }
    if (state.until - t < REFRESH_BEFORE) refresh();
  }

  function onlineNote() {
    var note = root.querySelector("[data-offline-note]");
    if (note) note.hidden = navigator.onLine;
  }

  function keepPhotosOffline() {
    if (!("caches" in window)) return;
    var urls = [];
    var photos = root.querySelectorAll("img.wallet-photo");
    for (var i = 0; i < photos.length; i++) urls.push(photos[i].getAttribute("src"));
    if (!urls.length) return;
    caches.open(root.getAttribute("data-cache"))
      .then(function (cache) { return cache.addAll(urls); })
      .catch(function () {});
  }

  window.addEventListener("online", function () { onlineNote(); refresh(); });
  window.addEventListener("offline", onlineNote);
  onlineNote();
  render();
  setInterval(render, 1000);

  if ("serviceWorker" in navigator && navigator.onLine) {
    navigator.serviceWorker
      .register(root.getAttribute("data-sw"), { scope: root.getAttribute("data-scope") })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () { root.setAttribute("data-offline-ready", "true"); keepPhotosOffline(); })
      .catch(function () {});
  }
})();
