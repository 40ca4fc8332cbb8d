// What a person does to entries: download, delete (one or many, after confirmation), rename, move (by
// drag or by typing a destination) and new folder. Each reports the server's answer as a sentence and
// updates the open folder at once; the live event that follows changes nothing further.

import { api } from './api.js';
import { confirmAction, ask } from './dialogs.js';
import { baseName, join, nameProblem, parentOf, segments } from './paths.js';
import { toast } from './ui.js';

const quoted = (s) => `“${s}”`;

export class FileActions {
  /** listing: the open folder; changed(): redraw after a local change. */
  constructor(listing, changed) {
    this.listing = listing;
    this.changed = changed;
  }

  pathOf(name) { return this.listing.flat ? name : join(this.listing.path, name); }

  /** Ordinary browser downloads: a short-lived link, then the browser streams the file to disk itself. */
  async download(entry, btn) {
    btn.disabled = true;
    try {
      const { url } = await api.link(this.pathOf(entry.name));
      const a = document.createElement('a');
      a.href = url;
      a.download = entry.name;
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      toast(`Could not download ${quoted(entry.name)}: ${err.message}`);
    } finally {
      btn.disabled = false;
    }
  }

  /** Deletes after one confirmation; folders go with everything in them. Resolves with the names deleted. */
  async remove(entries) {
    if (!entries.length) return [];
    const folders = entries.filter((e) => e.type === 'folder').length;
    let title;
    let text;
    if (entries.length === 1) {
      const e = entries[0];
      title = e.type === 'folder' ? 'Delete folder?' : 'Delete file?';
      text = e.type === 'folder'
        ? `${quoted(e.name)} and everything in it will be deleted. This cannot be undone.`
        : `${quoted(e.name)} will be deleted. This cannot be undone.`;
    } else {
      title = `Delete ${entries.length} items?`;
      text = `${entries.length} items${folders ? ` (${folders} ${folders === 1 ? 'folder' : 'folders'} with everything in them)` : ''}`
        + ' will be deleted. This cannot be undone.';
    }
    if (!(await confirmAction({ title, text, ok: 'Delete' }))) return [];
    const done = [];
    const failed = [];
    for (const e of entries) {
      const path = this.pathOf(e.name);
      try {
        await (e.type === 'folder' ? api.rmdir(path) : api.remove(path));
        done.push(e.name);
      } catch (err) {
        if (err.status === 404) done.push(e.name); // already gone: what was asked for holds
        else failed.push(`${quoted(e.name)}: ${err.message}`);
      }
    }
    // Only what is gone leaves the table: a refused delete (a locked file) keeps its row.
    for (const name of done) this.listing.drop(name);
    this.changed();
    if (failed.length) toast(`Could not delete ${failed.join('; ')}`);
    else toast(done.length === 1 ? `Deleted ${quoted(done[0])}.` : `Deleted ${done.length} items.`);
    return done;
  }

  rename(entry) {
    const dot = entry.type === 'file' ? entry.name.lastIndexOf('.') : -1;
    return ask({
      title: entry.type === 'folder' ? 'Rename folder' : 'Rename file',
      label: 'New name',
      value: entry.name,
      ok: 'Rename',
      select: [0, dot > 0 ? dot : entry.name.length],
      problem: nameProblem,
      submit: async (name) => {
        if (name === entry.name) return null;
        await api.move(this.pathOf(entry.name), this.pathOf(name));
        this.listing.drop(entry.name);
        this.listing.upsert({ ...entry, name });
        this.changed();
        toast(`Renamed ${quoted(entry.name)} to ${quoted(name)}.`);
        return name;
      },
    });
  }

  /** Moves whole paths into a folder, one request each (each is atomic on the server). */
  async moveInto(paths, folder) {
    const moved = [];
    const failed = [];
    for (const from of paths) {
      const to = join(folder, baseName(from));
      if (to === from) continue;
      try {
        await api.move(from, to);
        moved.push(from);
        if (parentOf(from) === this.listing.path) this.listing.drop(baseName(from));
      } catch (err) {
        failed.push(`${quoted(baseName(from))}: ${err.message}`);
      }
    }
    this.changed();
    const where = folder ? quoted(folder) : 'All files';
    if (moved.length) toast(`Moved ${moved.length === 1 ? quoted(baseName(moved[0])) : `${moved.length} items`} to ${where}.`);
    if (failed.length) {
      const msg = `Could not move ${failed.join('; ')}`;
      if (moved.length) setTimeout(() => toast(msg), 0);
      else toast(msg);
      throw new Error(msg);
    }
    return moved;
  }

  /** The keyboard way to move: type the destination folder. */
  askMove(entries) {
    const what = entries.length === 1 ? quoted(entries[0].name) : `${entries.length} items`;
    return ask({
      title: `Move ${what}`,
      label: 'To folder (path from All files, e.g. Projects/2026; empty for All files)',
      value: this.listing.path,
      ok: 'Move',
      problem: (v) => {
        const p = v.replace(/^\/+|\/+$/g, '');
        return segments(p).map(nameProblem).find(Boolean) || '';
      },
      submit: async (v) => {
        const folder = v.replace(/^\/+|\/+$/g, '');
        if (folder) {
          try {
            await api.folder(folder, { limit: 1 });
          } catch (err) {
            if (err.status === 404) throw new Error(`There is no folder ${quoted(folder)}.`);
            throw err;
          }
        }
        return this.moveInto(entries.map((e) => this.pathOf(e.name)), folder);
      },
    });
  }

  newFolder() {
    return ask({
      title: 'New folder',
      label: 'Folder name',
      value: '',
      ok: 'Create',
      problem: nameProblem,
      submit: async (name) => {
        const existed = (await api.mkdirStatus(this.pathOf(name))) === 200;
        if (existed) throw new Error(`A folder named ${quoted(name)} is already here.`);
        const now = new Date().toISOString();
        this.listing.upsert({ name, type: 'folder', size: null, sha256: null, created: now, modified: now });
        this.changed();
        toast(`Created folder ${quoted(name)}.`);
        return name;
      },
    });
  }
}
