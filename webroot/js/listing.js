// The open folder as the page knows it: the entries loaded so far (page by page, by cursor), kept in the
// server's order and free of duplicates, and updated in place by live events so a long folder keeps its
// scroll position. On a server without folders (storage.engine=v1) it holds the flat list of files.

import { api } from './api.js';
import { baseName, childOnTheWay, parentOf, within } from './paths.js';
import { comparator } from './sorting.js';

const PAGE = 200;
const iso = (ms) => (typeof ms === 'number' ? new Date(ms).toISOString() : ms);

export class Listing {
  constructor({ onChange, onUsage }) {
    this.onChange = onChange;
    this.onUsage = onUsage;
    this.flat = false; // true once the server said it has no folders
    this.sort = { key: 'name', order: 'asc' };
    this.reset('');
  }

  reset(path) {
    this.path = path;
    this.entries = [];
    this.byName = new Map();
    this.cursor = null;
    this.loaded = false;
    this.loading = false;
    this.pending = []; // events that arrived while the first page was on its way
    this.pageFailed = null; // the error of the last page asked for; paging waits for a retry then
    this.gen = (this.gen || 0) + 1;
    this.edits = 0; // entries changed in place (the table cannot tell by looking at which objects it drew)
  }

  get hasMore() { return this.cursor !== null; }

  /** Opens a folder at its first page. Rejects with the ApiError of the listing (404: no such folder). */
  async open(path) {
    this.reset(this.flat ? '' : path);
    this.loading = true;
    this.onChange();
    const gen = this.gen;
    try {
      if (this.flat) await this.loadFlat(gen);
      else await this.loadPage(gen);
    } catch (err) {
      if (gen !== this.gen) return;
      if (!this.flat && path === '' && [400, 404, 405, 501].includes(err.status)) {
        // The root always exists where folders exist: this server has none. Work flat, as v1 did.
        this.flat = true;
        await this.open('');
        return;
      }
      this.loading = false;
      this.onChange();
      throw err;
    }
    if (gen !== this.gen) return;
    this.loaded = true;
    this.loading = false;
    const queued = this.pending;
    this.pending = [];
    for (const ev of queued) this.apply(ev);
    this.onChange();
  }

  /** Loads the next page, if there is one and none is on its way. */
  async more() {
    if (this.flat || !this.loaded || this.loading || !this.hasMore) return;
    const gen = this.gen;
    this.loading = true;
    this.pageFailed = null;
    this.onChange();
    try {
      await this.loadPage(gen);
    } catch (err) {
      if (gen === this.gen) this.pageFailed = err;
      throw err;
    } finally {
      if (gen === this.gen) {
        this.loading = false;
        this.onChange();
      }
    }
  }

  async loadPage(gen) {
    const r = await api.folder(this.path, { limit: PAGE, cursor: this.cursor, sort: this.sort.key, order: this.sort.order });
    if (gen !== this.gen) return;
    for (const e of r.entries) {
      const known = this.byName.get(e.name);
      if (known) {
        Object.assign(known, e);
        this.edits++;
      } else {
        this.byName.set(e.name, e);
        this.entries.push(e);
      }
    }
    this.cursor = r.cursor ?? null;
    if (r.usage) this.onUsage(r.usage);
  }

  async loadFlat(gen) {
    const r = await api.list();
    if (gen !== this.gen) return;
    for (const f of r.files) {
      const e = { ...f, type: 'file' };
      this.byName.set(e.name, e);
      this.entries.push(e);
    }
    this.entries.sort(comparator(this.sort));
    if (r.usage) this.onUsage(r.usage);
  }

  /** Adds or replaces an entry where the server would list it (not at all if that is on a later page). */
  upsert(entry) {
    const cmp = comparator(this.sort);
    const known = this.byName.get(entry.name);
    if (known) this.entries.splice(this.entries.indexOf(known), 1);
    const e = known ? { ...known, ...entry } : entry;
    let at = this.entries.findIndex((x) => cmp(e, x) < 0);
    if (at < 0) {
      if (this.hasMore) { // sorts after everything loaded: a later page brings it
        this.byName.delete(e.name);
        return;
      }
      at = this.entries.length;
    }
    this.entries.splice(at, 0, e);
    this.byName.set(e.name, e);
  }

  drop(name) {
    const known = this.byName.get(name);
    if (!known) return false;
    this.entries.splice(this.entries.indexOf(known), 1);
    this.byName.delete(name);
    return true;
  }

  /** Makes sure the child folder on the way to a deeper path is shown (an upload creates its parents). */
  ensureFolderTowards(path, ms) {
    const child = childOnTheWay(this.path, path);
    if (child !== null && !child.includes('/') && !this.byName.has(child)) {
      this.upsert({ name: child, type: 'folder', size: null, sha256: null, created: iso(ms), modified: iso(ms) });
    }
  }

  /**
   * Applies one live event to the open folder (the caller redraws); changes elsewhere leave it alone.
   * Events that come while the first page is on its way are kept and applied after it. Returns what the app
   * must do beyond redrawing: {gone: true} when the open folder was deleted, {movedTo} when it moved.
   */
  apply(ev) {
    if (!this.loaded) {
      this.pending.push(ev);
      return {};
    }
    const here = this.path;
    const path = ev.path ?? ev.name;
    if (typeof path !== 'string') return {};
    const inHere = (p) => parentOf(p) === here;
    const file = (p) => ({
      name: baseName(p), type: 'file', size: ev.size, sha256: ev.sha256 ?? null, modified: iso(ev.modified),
      created: this.byName.get(baseName(p))?.created ?? iso(ev.modified),
    });
    const folder = (p) => ({ name: baseName(p), type: 'folder', size: null, sha256: null,
      created: iso(ev.modified), modified: iso(ev.modified) });
    if (this.flat) { // names are whole paths there
      if (ev.type === 'uploaded') this.upsert({ ...file(path), name: path });
      else if (ev.type === 'deleted') this.drop(path);
      return {};
    }
    switch (ev.type) {
      case 'uploaded':
        if (inHere(path)) this.upsert(file(path));
        else this.ensureFolderTowards(path, ev.modified);
        break;
      case 'deleted':
        if (inHere(path)) this.drop(baseName(path));
        break;
      case 'folder_created':
        if (inHere(path)) {
          if (!this.byName.has(baseName(path))) this.upsert(folder(path));
        } else this.ensureFolderTowards(path, ev.modified);
        break;
      case 'folder_deleted':
        if (within(here, path) && here !== '') return { gone: true, from: path };
        if (inHere(path)) this.drop(baseName(path));
        break;
      case 'moved': {
        const from = ev.from;
        if (typeof from !== 'string') break;
        if (here !== '' && within(here, from)) return { movedTo: path + here.slice(from.length) };
        let known = null;
        if (inHere(from)) {
          known = this.byName.get(baseName(from)) ?? null;
          this.drop(baseName(from));
        }
        if (inHere(path)) {
          // A rename keeps what the row showed; an arrival from elsewhere is a file if it has a sha256.
          if (known) this.upsert({ ...known, name: baseName(path) });
          else this.upsert(ev.sha256 ? file(path) : folder(path));
        } else this.ensureFolderTowards(path, ev.modified);
        break;
      }
      default: // an event type this page does not know changes nothing it shows
    }
    return {};
  }
}
