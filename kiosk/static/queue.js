// The tap queue: every rating is written to IndexedDB before the thank-you shows, then delivered
// one at a time, oldest first, with retry and backoff. It survives reloads and power loss.
const DB = 'hailong-kiosk';

function req(r) {
  return new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
}

function done(tx) {
  return new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = tx.onabort = () => fail(tx.error); });
}

export class Queue {
  // send(body) resolves to 'ok' (stored), 'drop' (refused for good), 'retry', 'stop', or a number:
  // the milliseconds the server asked us to wait (Retry-After) before sending again.
  constructor(send, changed) {
    this.send = send;
    this.changed = changed;
    this.db = null;
    this.busy = false;
    this.fails = 0;
    this.wake = null;
    this.holdUntil = 0;
  }

  async open() {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore('q', { keyPath: 'seq', autoIncrement: true });
      r.result.createObjectStore('dropped', { keyPath: 'seq' });
    };
    this.db = await req(r);
  }

  async add(body) {
    if (!this.db) throw new Error('no queue on this device');
    const tx = this.db.transaction('q', 'readwrite', { durability: 'strict' }); // flushed: survives power loss
    tx.objectStore('q').add({ body, at: Date.now() });
    await done(tx);
    this.count().then(this.changed);
  }

  count() {
    if (!this.db) return Promise.resolve(0);
    return req(this.db.transaction('q').objectStore('q').count());
  }

  async head() {
    if (!this.db) return null;
    const c = await req(this.db.transaction('q').objectStore('q').openCursor());
    return c ? c.value : null;
  }

  async remove(item, dropped) {
    const tx = this.db.transaction(['q', 'dropped'], 'readwrite');
    tx.objectStore('q').delete(item.seq);
    if (dropped) tx.objectStore('dropped').put({ ...item, dropped });
    await done(tx);
  }

  // Deliver now: also cuts short a backoff wait (the network came back, a heartbeat answered).
  kick() {
    if (Date.now() < this.holdUntil) return; // the server asked for a pause (Retry-After): honour it
    if (this.wake) this.wake();
    else if (!this.busy) this.run();
  }

  async run() {
    this.busy = true;
    try {
      for (let item = await this.head(); item; item = await this.head()) {
        const outcome = await this.send(item.body);
        if (outcome === 'stop') break;
        if (outcome === 'retry' || typeof outcome === 'number') {
          this.fails++;
          const backoff = Math.min(30000, 500 * 2 ** Math.min(this.fails, 6)) * (0.5 + Math.random() / 2);
          const wait = typeof outcome === 'number' ? Math.max(outcome, backoff) : backoff;
          this.holdUntil = typeof outcome === 'number' ? Date.now() + wait : 0;
          await new Promise((ok) => { this.wake = ok; setTimeout(ok, wait); });
          this.wake = null;
          continue;
        }
        this.fails = 0;
        await this.remove(item, outcome === 'drop' ? Date.now() : 0);
        this.changed(await this.count());
      }
    } finally {
      this.busy = false;
    }
  }
}
