// The counter kiosk: pairing, one-tap rating, reasons, dossier code (keypad or scanner), thank-you.
import { Queue } from './queue.js';

const VERSION = '__VERSION__';
// Words of every language, from the message catalogue (web/locale), put into the page by the server:
// { names: { vi: 'Tiếng Việt', … }, vi: { msgid: text } }; a msgid missing from a language reads as itself.
const W = JSON.parse(document.getElementById('words').textContent);
const LANGS = Object.keys(W.names);
const CODE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const COLORS = { 3: ['#c62828', '#f9a825', '#2e7d32'], 5: ['#c62828', '#ef6c00', '#f9a825', '#7cb342', '#2e7d32'] };
const SMILES = { 3: [-1, 0.5, 1], 5: [-1, -0.5, 0, 0.5, 1] }; // mouth curve, sad -1 … happy 1
const $ = (id) => document.getElementById(id);
const store = localStorage;
const chosen = new Set();
let token = store.getItem('hl.token');
let cfg = JSON.parse(store.getItem('hl.cfg') || 'null');
let lang = LANGS[0], screen = '', level = 0, delay = 0, shownAt = 0, lastTap = -1e9, dossier = '', dup = false, lost = false;
let built = '', pairDigits = '', pairErr = '', entry = '', backlog = 0, online = navigator.onLine, timer = 0, stale = false;
const t = (m, vals) => ((W[lang] || {})[m] || m).replace(/\{(\w+)\}/g, (all, k) => (vals && k in vals ? vals[k] : all));
const N_ = (m) => m;
const worded = (x) => (lang === 'vi' ? x.vi : t(x.en)); // instrument text: its own Vietnamese, or translated
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const queue = new Queue(deliver, (n) => { backlog = n; status(); });

// Time-ordered UUIDv7 keys: 48 bits of milliseconds, then randomness. They append to the server's
// unique index instead of touching a random page for every rating.
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
  b[6] = (b[6] & 15) | 112; b[8] = (b[8] & 63) | 128;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function face(value, scale) {
  const s = SMILES[scale][value - 1], y = 64 - 6 * s, c = 64 + 18 * s;
  return `<svg viewBox="0 0 100 100" aria-hidden="true" focusable="false"><circle cx="50" cy="50" r="46" fill="${COLORS[scale][value - 1]}"/><circle cx="35" cy="40" r="6"/><circle cx="65" cy="40" r="6"/><path d="M28 ${y}Q50 ${c} 72 ${y}" fill="none" stroke="#000" stroke-width="6" stroke-linecap="round"/></svg>`;
}

function render() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  const other = LANGS[(LANGS.indexOf(lang) + 1) % LANGS.length];
  $('lang').textContent = W.names[other];
  $('lang').lang = other;
  $('paircode').textContent = pairDigits.replace(/^(\d{4})/, '$1 ');
  $('pairerr').textContent = pairErr && t(pairErr);
  $('dossiercode').textContent = entry;
  $('thanksmsg').textContent = lost ? t('Your rating was not sent') : dup ? t('Thank you, already recorded') : t('Thank you for your rating!');
  $('thankssub').textContent = lost ? t('This kiosk could not save it and the network failed. Please try again in a moment.')
    : dup ? '' : t('Your opinion helps us serve you better.');
  for (const b of document.querySelectorAll('.pad .act')) {
    b.textContent = b.dataset.k === 'del' ? t('Delete') : b.parentNode.dataset.for === 'pair' ? t('Pair') : t('Done');
  }
  if (cfg) {
    const ins = cfg.instrument;
    $('counter').textContent = cfg.counter.name;
    $('officer').textContent = cfg.officer ? `· ${t('Officer: {name}', { name: cfg.officer })}` : '';
    $('question').textContent = worded(ins.question);
    const key = `${lang} ${cfg.scale} ${ins.code} ${ins.version}`;
    if (key !== built) build(ins);
    built = key;
    for (const b of document.querySelectorAll('.chip')) b.setAttribute('aria-pressed', chosen.has(b.dataset.c));
  }
  $('dossier').textContent = dossier ? t('Dossier: {code}', { code: dossier }) : t('Enter dossier code (optional)');
  $('undossier').hidden = !dossier;
  status();
}

// Faces and chips are rebuilt only when the language or the instrument changes (focus stays put).
function build(ins) {
  const faces = $('faces');
  faces.style.setProperty('--n', ins.levels.length);
  faces.className = `n${ins.levels.length}`;
  faces.innerHTML = ins.levels.map((l) => `<button type="button" class="face" data-v="${l.value}">${face(l.value, cfg.scale)}<span>${esc(worded(l))}</span></button>`).join('');
  $('chips').innerHTML = ins.reasons.map((r) => `<button type="button" class="chip" data-c="${esc(r.code)}">${esc(worded(r))}</button>`).join('');
}

function status() {
  const el = $('status');
  const waiting = backlog ? ` · ${t('{n} waiting', { n: backlog.toLocaleString(lang) })}` : '';
  el.textContent = (online ? t('Online') : t('Offline')) + waiting;
  el.className = online ? '' : 'off';
}

function show(name) {
  for (const s of document.querySelectorAll('main>section')) s.hidden = s.id !== name;
  screen = name;
  if (name === 'rate') shownAt = performance.now();
  const h = document.querySelector(`#${name} h1`);
  if (h) h.focus({ preventScroll: true });
  arm();
}

// Idle reset: an abandoned screen goes back to the start; an unfinished rating is still recorded.
function arm() {
  clearTimeout(timer);
  if (!cfg || screen === 'pair' || screen === 'revoked' || (screen === 'rate' && !dossier && lang === LANGS[0])) return;
  timer = setTimeout(() => (screen === 'reasons' ? finish() : home()), screen === 'thanks' ? (dup ? 1500 : cfg.thanks_ms) : cfg.idle_ms);
}

function home() {
  if (stale) return location.reload();
  dossier = ''; entry = ''; level = 0; dup = false; lost = false; lang = LANGS[0];
  chosen.clear();
  $('comment').value = '';
  render();
  show('rate');
}

function tap(value) {
  const now = performance.now(), tooSoon = now - lastTap < cfg.min_tap_interval_ms;
  lastTap = now;
  if (tooSoon) return thank(true);
  level = value; delay = Math.round(now - shownAt);
  if (level <= cfg.instrument.ask_reasons_at_or_below) show('reasons');
  else finish();
}

async function finish() {
  if (!level) return;
  const body = { idempotency_key: uuid(), counter: cfg.counter.code, level, reasons: [...chosen],
    client_time: new Date().toISOString(), time_to_tap_ms: delay };
  const comment = $('comment').value.trim().slice(0, 500);
  if (comment) body.comment = comment;
  if (dossier) body.dossier_code = dossier;
  level = 0;
  let kept = true;
  try {
    await queue.add(body); // on the device before the thank-you shows
  } catch {
    kept = (await deliver(body)) === 'ok'; // no queue on this device: thanked only once the server has it
  }
  if (kept) { thank(false); queue.kick(); } else notKept();
}

function thank(isDup) {
  dup = isDup; lost = false;
  render();
  show('thanks');
}

function notKept() {
  dup = false; lost = true;
  render();
  show('thanks');
}

function scanned(code, target) {
  if (!cfg) return;
  if (target.tagName === 'TEXTAREA' && target.value.endsWith(code)) target.value = target.value.slice(0, -code.length);
  if (screen === 'thanks' || screen === 'keypad') home();
  dossier = code;
  render();
  $('live').textContent = t('Dossier: {code}', { code });
  arm();
}

function pairKey(k) {
  if (k === 'del') pairDigits = pairDigits.slice(0, -1);
  else if (k === 'ok') return pairDigits.length === 8 && pairNow();
  else if (/^\d$/.test(k) && pairDigits.length < 8) pairDigits += k;
  pairErr = '';
  render();
}

function dossierKey(k) {
  if (k === 'del') entry = entry.slice(0, -1);
  else if (k === 'ok') {
    if (CODE.test(entry)) dossier = entry;
    entry = '';
    render();
    return show('rate');
  } else if (k.length === 1 && entry.length < 64) entry += k;
  render();
}

async function call(method, path, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(path, { method, headers, body: body && JSON.stringify(body), cache: 'no-store' });
}

async function refused(r) {
  const type = await r.json().then((p) => p.type || '', () => '');
  if (type.endsWith('/device-revoked')) store.setItem('hl.revoked', '1');
  else { store.removeItem('hl.token'); token = null; }
  start();
}

async function deliver(body) {
  if (!token || store.getItem('hl.revoked')) return 'stop';
  let r;
  try {
    r = await call('POST', '/api/v1/ratings', body);
  } catch {
    online = false; status();
    return 'retry';
  }
  online = true; status();
  if (r.ok) return 'ok';
  if (r.status === 401) return refused(r).then(() => 'stop');
  if (r.status === 429 || r.status === 503) return 1000 * Math.max(1, +r.headers.get('retry-after') || 30); // wait as told
  return r.status === 408 || r.status >= 500 ? 'retry' : 'drop';
}

function configure(c) {
  cfg = c;
  store.setItem('hl.cfg', JSON.stringify(c));
  if (screen !== 'reasons') render();
}

async function beat() {
  if (!token || store.getItem('hl.revoked')) return;
  try {
    const r = await call('POST', '/api/v1/kiosk/heartbeat', { backlog, app_version: VERSION });
    if (r.status === 401) return refused(r);
    online = r.ok;
    if (r.ok) { configure(await r.json()); queue.kick(); }
  } catch {
    online = false;
  }
  status();
}

async function pairNow() {
  try {
    const r = await call('POST', '/api/v1/kiosk/pair', { pairing_code: pairDigits });
    pairDigits = '';
    const b = await r.json();
    if (!r.ok) {
      pairErr = r.status === 429 ? N_('Too many wrong codes. Please wait 15 minutes.')
        : N_('This code is wrong, expired or already used. Ask for a new one.');
      return render();
    }
    token = b.device_token;
    store.setItem('hl.token', token);
    store.removeItem('hl.revoked');
    configure(b.config);
    online = true;
    start();
  } catch {
    pairErr = N_('Cannot reach the server. Check the network and try again.');
    render();
  }
}

function start() {
  if (store.getItem('hl.revoked')) { render(); return show('revoked'); }
  if (!token || !cfg) { token = null; render(); return show('pair'); }
  home();
  queue.kick();
}

function pad(el, press) {
  el.innerHTML = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'del', '0', 'ok']
    .map((k) => `<button type="button" data-k="${k}"${k.length > 1 ? ' class="act"' : ''}>${k}</button>`).join('');
  el.onclick = (e) => { const b = e.target.closest('button'); if (b) press(b.dataset.k); };
}

// Keyboard-wedge scanners type the code fast and press Enter: accepted on any screen.
let burst = '', burstAt = 0, lastKey = 0;
function keys(e) {
  const now = performance.now(), onButton = e.target.tagName === 'BUTTON';
  const joined = now - lastKey < 250;
  lastKey = now;
  if (e.key === 'Enter') {
    const fast = joined && burst.length >= 4 && (now - burstAt) / burst.length < 80;
    const code = fast && CODE.test(burst) && /\d/.test(burst) ? burst : '';
    burst = '';
    if (code && screen !== 'pair' && screen !== 'revoked') { e.preventDefault(); scanned(code, e.target); }
    else if (screen === 'pair' && !onButton) pairKey('ok');
    else if (screen === 'keypad' && !onButton) dossierKey('ok');
  } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
    if (!joined || !burst) { burst = ''; burstAt = now; }
    burst += e.key;
    if (screen === 'pair') pairKey(e.key);
    else if (screen === 'keypad' && /[A-Za-z0-9._/-]/.test(e.key)) dossierKey(e.key);
  } else if (e.key === 'Backspace' && (screen === 'pair' || screen === 'keypad')) {
    (screen === 'pair' ? pairKey : dossierKey)('del');
  } else if (e.key === 'Escape' && screen === 'keypad') show('rate');
  else if (e.key !== 'Shift') burst = '';
  arm();
}

function wire() {
  pad(document.querySelector('[data-for=pair]'), pairKey);
  pad(document.querySelector('[data-for=dossier]'), dossierKey);
  $('lang').onclick = () => { lang = LANGS[(LANGS.indexOf(lang) + 1) % LANGS.length]; render(); };
  $('faces').onclick = (e) => { const b = e.target.closest('.face'); if (b && screen === 'rate') tap(+b.dataset.v); };
  $('chips').onclick = (e) => {
    const b = e.target.closest('.chip');
    if (!b) return;
    const on = !chosen.has(b.dataset.c);
    if (on) chosen.add(b.dataset.c); else chosen.delete(b.dataset.c);
    b.setAttribute('aria-pressed', on);
  };
  $('send').onclick = finish;
  $('skip').onclick = () => { chosen.clear(); $('comment').value = ''; finish(); };
  $('dossier').onclick = () => { entry = ''; render(); show('keypad'); };
  $('undossier').onclick = () => { dossier = ''; render(); $('dossier').focus(); arm(); };
  $('padcancel').onclick = () => show('rate');
  $('again').onclick = home;
  $('repair').onclick = () => { store.removeItem('hl.revoked'); store.removeItem('hl.token'); start(); };
  document.addEventListener('keydown', keys, true);
  document.addEventListener('pointerdown', arm, true);
  addEventListener('online', () => { queue.kick(); beat(); });
  addEventListener('offline', () => { online = false; status(); });
}

async function boot() {
  wire();
  if ('serviceWorker' in navigator) {
    const had = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener('controllerchange', () => { stale = had; });
    navigator.serviceWorker.register('/kiosk/sw.js', { scope: '/kiosk' }).catch(() => {});
  }
  try {
    await queue.open();
  } catch {
    queue.db = null; // no IndexedDB (private mode, storage refused): each rating is sent at once
  }
  backlog = await queue.count();
  start();
  beat();
  const loop = () => setTimeout(() => beat().finally(loop), cfg ? cfg.heartbeat_ms : 30000);
  loop();
}

boot();
