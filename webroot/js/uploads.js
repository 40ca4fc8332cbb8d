// Uploads as raw PUTs through XMLHttpRequest: the only browser API with upload progress events.
// Each file streams from disk (the browser reads the File lazily); a few run at once, the rest wait.
// Every item knows its target path (the open folder, or a place inside a dropped folder's tree) and the
// label it is shown under (its path relative to where it was dropped).

import { authHeaders, errorFrom, fileUrl } from './api.js';

const PARALLEL = 3;

export class UploadQueue {
  constructor({ onChange, onDone }) {
    this.items = [];
    this.onChange = onChange;
    this.onDone = onDone;
    this.nextId = 1;
  }

  /** targets: [{file, path, label}] */
  add(targets) {
    for (const { file, path, label } of targets) {
      this.items.push({ id: this.nextId++, file, path, label, state: 'waiting', loaded: 0, total: file.size,
        error: '', xhr: null, result: null });
    }
    this.pump();
    this.onChange();
  }

  cancel(id) {
    const it = this.items.find((i) => i.id === id);
    if (!it) return;
    if (it.xhr) it.xhr.abort();
    if (it.state === 'waiting' || it.state === 'sending') {
      it.state = 'cancelled';
      it.xhr = null;
    }
    this.pump();
    this.onChange();
  }

  /** Stops every upload still waiting or sending (a folder of many files is cancelled in one go). */
  cancelAll() {
    for (const it of this.items) {
      if (it.state !== 'waiting' && it.state !== 'sending') continue;
      it.state = 'cancelled';
      if (it.xhr) it.xhr.abort();
      it.xhr = null;
    }
    this.onChange();
  }

  /** Stops every upload and forgets them all (logout: the next person sees none of them). */
  reset() {
    for (const it of this.items) {
      if (it.state === 'waiting' || it.state === 'sending') it.state = 'cancelled';
      if (it.xhr) it.xhr.abort();
      it.xhr = null;
    }
    this.items = [];
    this.onChange();
  }

  get active() { return this.items.filter((i) => i.state === 'waiting' || i.state === 'sending').length; }

  /** Forgets finished, failed and cancelled items. */
  clearFinished() {
    this.items = this.items.filter((i) => i.state === 'waiting' || i.state === 'sending');
    this.onChange();
  }

  dismiss(id) {
    this.items = this.items.filter((i) => i.id !== id);
    this.onChange();
  }

  pump() {
    while (this.items.filter((i) => i.state === 'sending').length < PARALLEL) {
      const next = this.items.find((i) => i.state === 'waiting');
      if (!next) return;
      this.send(next);
    }
  }

  send(it) {
    it.state = 'sending';
    const xhr = new XMLHttpRequest();
    it.xhr = xhr;
    xhr.open('PUT', fileUrl(it.path));
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        it.loaded = e.loaded;
        it.total = e.total;
        this.onChange();
      }
    };
    const finish = async (ok, error) => {
      if (it.state !== 'sending') return; // cancelled meanwhile
      it.xhr = null;
      it.state = ok ? 'done' : 'failed';
      it.error = error || '';
      if (ok) it.loaded = it.total;
      this.pump();
      this.onChange();
      this.onDone(it, ok, xhr.status);
    };
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          it.result = JSON.parse(xhr.responseText);
        } catch { /* the file is stored; the live event will show it */ }
        finish(true);
      }
      else finish(false, (await errorFrom(xhr.status, xhr.responseText)).message);
    };
    xhr.onerror = async () => {
      // A refused upload is answered early and the connection closed; the browser may then report a
      // network error even though the answer arrived. Use the answer when there is one.
      if (xhr.status) finish(false, (await errorFrom(xhr.status, xhr.responseText)).message);
      else finish(false, 'The upload was interrupted: the connection to the server was lost.');
    };
    xhr.send(it.file);
  }
}
