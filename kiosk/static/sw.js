// Offline-first: the kiosk page and its assets come from this cache; the API never does.
const CACHE = 'hailong-kiosk-__VERSION__';
const FILES = ['/kiosk', '/kiosk/app.css', '/kiosk/app.js', '/kiosk/queue.js', '/kiosk/manifest.webmanifest', '/kiosk/icon.svg'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || !FILES.includes(url.pathname)) return;
  e.respondWith(caches.open(CACHE)
    .then((c) => c.match(url.pathname))
    .then((hit) => hit || fetch(e.request)));
});
