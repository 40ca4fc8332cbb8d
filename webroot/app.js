// DropBox web UI: the file manager. Wires the views together: accounts, the open folder (URL hash),
// its table, uploads, drag and drop, live updates. Each job lives in its own module under js/.

import { api, session, setUnauthorizedHandler, ApiError } from './js/api.js';
import { selectTab, showAuthError, showAuthInfo, wireAuth } from './js/auth.js';
import { renderCrumbs } from './js/breadcrumbs.js';
import { wireDragMove } from './js/dragmove.js';
import { wireDrive } from './js/drive.js';
import { wireDropZone } from './js/drop-zone.js';
import { watchEvents } from './js/events.js';
import { FileActions } from './js/file-actions.js';
import { Listing } from './js/listing.js';
import { wirePaging } from './js/paging.js';
import { baseName, folderFromHash, hashFor, join, parentOf } from './js/paths.js';
import { entryRow } from './js/rows.js';
import { renderQuota } from './js/quota.js';
import { comparator } from './js/sorting.js';
import { fromInput, parentsFirst, takeDrop } from './js/tree-drop.js';
import { $, toast } from './js/ui.js';
import { renderUploads } from './js/upload-panel.js';
import { UploadQueue } from './js/uploads.js';

const SIGNED_OUT = 'Your session has ended. Please log in again.';

const state = {
  usage: null,
  filter: '',
  selected: new Set(),
  stopEvents: null,
  signedIn: false,
  // Counts sign-ins: work started in one session (a folder upload creating its folders) checks it before
  // each step, so nothing it does lands in the account of whoever signs in next in this tab.
  sessionNo: 0,
  wasOffline: false,
};

const listing = new Listing({ onChange: () => render(), onUsage: (u) => { state.usage = u; } });
const actions = new FileActions(listing, () => render(true));

// ------------------------------------------------------------------ views

function show(view) {
  $('auth-view').hidden = view !== 'auth';
  $('files-view').hidden = view !== 'files';
  $('session').hidden = view !== 'files';
}

function showFilesError(message) {
  $('files-error-text').textContent = message || '';
  $('files-error').hidden = !message;
}

function enterFiles() {
  state.signedIn = true;
  state.sessionNo++;
  show('files');
  $('who').textContent = session.user;
  showFilesError('');
  openFromHash();
  state.stopEvents = watchEvents({
    onFile: (ev) => changes.push(ev),
    onState: setLive,
    onUnauthorized: () => leaveFiles(SIGNED_OUT),
  });
  $('main').focus();
}

function leaveFiles(message) {
  if (!state.signedIn) return;
  state.signedIn = false;
  // Leaving ends this person's uploads: one still waiting would otherwise start with the next person's
  // token, into their account; the panel would show this person's file names to them too.
  uploads.reset();
  for (const dlg of document.querySelectorAll('dialog[open]')) dlg.close();
  if (state.stopEvents) state.stopEvents();
  state.stopEvents = null;
  session.clear();
  listing.reset('');
  state.selected.clear();
  $('file-rows').replaceChildren();
  // The next person to log in here starts at their own top folder.
  history.replaceState(null, '', location.pathname + location.search);
  show('auth');
  selectTab('login');
  showAuthInfo('');
  showAuthError(message);
  $('login-username').focus();
}

function setLive(s) {
  const el = $('live');
  el.dataset.state = s;
  $('live-text').textContent = s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  if (s === 'offline') state.wasOffline = true;
  // A reconnect may have missed events: catch up by reading the folder again.
  if (s === 'live' && state.wasOffline && listing.loaded) {
    state.wasOffline = false;
    openFolder(listing.path);
  }
}

// ------------------------------------------------------------------ the open folder

function openFromHash() {
  openFolder(folderFromHash(location.hash));
}

async function openFolder(path) {
  state.selected.clear();
  showFilesError('');
  try {
    await listing.open(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    if (err.status === 404 && path) {
      toast(`The folder “${path}” does not exist (any more).`);
      location.replace(hashFor(parentOf(path)));
      return;
    }
    showFilesError(`Could not open ${path ? `“${path}”` : 'your files'}. ${err.message}`);
  }
  keepPaging();
}

/**
 * Live events and finished uploads change the rows and the quota bar together: the usage is read first,
 * then the queued changes are applied and drawn in one go, so the two never disagree on screen.
 */
const changes = {
  queue: [],
  busy: false,
  push(ev) {
    this.queue.push(ev);
    if (!this.busy) this.flush();
  },
  async flush() {
    this.busy = true;
    await new Promise((r) => setTimeout(r, 50)); // a burst (a folder upload) shares one usage read
    try {
      const me = await api.me();
      state.usage = me.usage;
    } catch { /* the rows still update; the bar catches up with the next change */ }
    const batch = this.queue;
    this.queue = [];
    for (const ev of batch) {
      const r = listing.apply(ev);
      if (r.gone) {
        toast(`The folder “${listing.path}” was deleted.`);
        location.replace(hashFor(parentOf(r.from)));
      } else if (r.movedTo !== undefined) {
        toast(`The folder “${listing.path}” was moved to “${r.movedTo}”.`);
        location.replace(hashFor(r.movedTo));
      }
    }
    render();
    this.busy = false;
    if (this.queue.length) this.flush();
  },
};

function shownEntries() {
  const needle = state.filter.toLocaleLowerCase();
  return needle ? listing.entries.filter((e) => e.name.toLocaleLowerCase().includes(needle)) : listing.entries;
}

function render(force = false) {
  if (!state.signedIn) return;
  const folders = !listing.flat;
  document.body.classList.toggle('no-folders', !folders);
  renderQuota(state.usage);
  renderCrumbs($('crumbs-list'), listing.path);
  $('crumbs').hidden = !listing.path; // at the top the heading says it all
  $('files-title').textContent = listing.path ? baseName(listing.path) : 'All files';

  for (const n of [...state.selected]) if (!listing.byName.has(n)) state.selected.delete(n);
  const shown = shownEntries();
  drawRows(shown, folders, force);
  // What the table shows, for scripts and tests: which folder, and whether it is complete.
  const body = $('file-rows');
  body.dataset.path = listing.path;
  body.dataset.state = listing.loading ? 'loading' : listing.loaded ? 'ready' : 'idle';
  body.dataset.more = String(listing.hasMore);

  for (const th of document.querySelectorAll('#file-table th[data-key]')) {
    const k = th.dataset.key;
    th.setAttribute('aria-sort', k === listing.sort.key ? (listing.sort.order === 'asc' ? 'ascending' : 'descending') : 'none');
  }
  const empty = shown.length === 0 && listing.loaded && !listing.hasMore;
  $('empty').hidden = !empty;
  $('file-table').classList.toggle('is-empty', empty);
  if (empty) {
    if (listing.entries.length === 0) {
      $('empty-title').textContent = listing.path ? 'This folder is empty' : 'No files yet';
      $('empty-text').innerHTML = 'Drop files or folders anywhere here, or choose <strong>Upload files</strong>.';
    } else {
      $('empty-title').textContent = 'No matching files';
      $('empty-text').textContent = `No name in this folder contains “${state.filter}”.`;
    }
  }
  const more = $('more');
  more.hidden = !listing.hasMore && !listing.loading;
  $('more-text').textContent = listing.loading ? 'Loading…' : 'Scroll for more';
  renderSelection(shown);
  keepPaging();
}

/**
 * Rows are redrawn whole after any change, except the common case of a long folder paging in: when the
 * rows on screen are still the first entries of the list, only the new ones are appended.
 */
const drawn = { entries: [], key: '' };
function drawRows(shown, folders, force) {
  const body = $('file-rows');
  const key = `${listing.gen}|${listing.edits}|${listing.flat}|${state.filter}`;
  const old = drawn.entries;
  const make = (e) => entryRow(e, { folder: listing.path, folders, selected: state.selected.has(e.name) });
  if (!force && key === drawn.key && old.length <= shown.length && old.every((e, i) => e === shown[i])) {
    if (shown.length > old.length) body.append(...shown.slice(old.length).map(make));
  } else {
    const focus = rememberFocus();
    body.replaceChildren(...shown.map(make));
    restoreFocus(focus);
  }
  drawn.entries = shown.slice();
  drawn.key = key;
}

function renderSelection(shown) {
  const n = state.selected.size;
  $('selection-bar').hidden = n === 0;
  $('selection-count').textContent = n === 1 ? '1 selected' : `${n} selected`;
  const all = $('select-all');
  const picked = shown.filter((e) => state.selected.has(e.name)).length;
  all.checked = shown.length > 0 && picked === shown.length;
  all.indeterminate = picked > 0 && picked < shown.length;
  all.disabled = shown.length === 0;
}

/** Re-rendering replaces the rows; the focused control is found again by row name and role. */
function rememberFocus() {
  const el = document.activeElement;
  const tr = el?.closest?.('#file-rows tr');
  if (!tr) return null;
  return { name: tr.dataset.name, action: el.dataset.action || (el.classList.contains('pick') ? 'pick' : 'open') };
}

function restoreFocus(f) {
  if (!f) return;
  const tr = [...$('file-rows').rows].find((r) => r.dataset.name === f.name);
  if (!tr) return;
  const el = f.action === 'pick' ? tr.querySelector('input.pick')
    : f.action === 'open' ? tr.querySelector('a.open') : tr.querySelector(`[data-action="${f.action}"]`);
  el?.focus({ preventScroll: true });
}

function pageError(err) {
  if (err instanceof ApiError && err.status === 401) return;
  showFilesError(`Could not load more of this folder. ${err.message}`);
}

const keepPaging = wirePaging($('more'), listing, pageError);

function selectedEntries() {
  return [...state.selected].map((n) => listing.byName.get(n)).filter(Boolean);
}

function setSort(key) {
  const order = listing.sort.key === key && listing.sort.order === 'asc' ? 'desc' : 'asc';
  listing.sort = { key, order };
  if (listing.flat || !listing.hasMore) {
    // Everything is here already: sort in place, as the server would, without a round trip.
    listing.entries.sort(comparator(listing.sort));
    render();
  } else {
    openFolder(listing.path);
  }
}

// ------------------------------------------------------------------ uploads

const uploads = new UploadQueue({
  onChange: () => renderUploads(uploads),
  onDone: (it, ok, status) => {
    if (ok) {
      const r = it.result || {};
      changes.push({ type: 'uploaded', path: it.path, size: r.size ?? it.total, sha256: r.sha256,
        modified: r.modified ?? new Date().toISOString() });
    } else if (status === 401) leaveFiles(SIGNED_OUT);
  },
});

/** Uploads a tree into folder: its folders first (so empty ones exist too), then every file. */
async function uploadTree(folder, tree) {
  const nested = tree.folders.length > 0 || tree.files.some((f) => f.rel.includes('/'));
  if (nested && listing.flat) {
    toast('This server keeps no folders (storage.engine=v1): choose files, not a folder.');
    return;
  }
  const session = state.sessionNo;
  for (const rel of parentsFirst(tree.folders)) {
    try {
      await api.mkdir(join(folder, rel));
    } catch (err) {
      if (session === state.sessionNo) toast(`Could not create the folder “${rel}”: ${err.message}`);
      return;
    }
    if (session !== state.sessionNo || !state.signedIn) return; // logged out meanwhile
  }
  if (tree.files.length) {
    uploads.add(tree.files.map(({ file, rel }) => ({ file, path: join(folder, rel), label: rel })));
  }
}

function targetFolder() { return listing.flat ? '' : listing.path; }

// ------------------------------------------------------------------ wiring

function wireTable() {
  const rows = $('file-rows');
  rows.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-action]');
    const tr = e.target.closest('tr');
    if (!b || !tr) return;
    const entry = listing.byName.get(tr.dataset.name);
    if (!entry) return;
    const act = b.dataset.action;
    if (act === 'download') actions.download(entry, b);
    else if (act === 'delete') actions.remove([entry]).then(() => $('main').focus());
    else if (act === 'rename') actions.rename(entry);
    else if (act === 'move') actions.askMove([entry]).catch(() => {});
  });
  rows.addEventListener('change', (e) => {
    if (!e.target.matches('input.pick')) return;
    const name = e.target.closest('tr').dataset.name;
    if (e.target.checked) state.selected.add(name);
    else state.selected.delete(name);
    e.target.closest('tr').classList.toggle('selected', e.target.checked);
    renderSelection(shownEntries());
  });
  $('select-all').addEventListener('change', (e) => {
    for (const en of shownEntries()) {
      if (e.target.checked) state.selected.add(en.name);
      else state.selected.delete(en.name);
    }
    render(true);
  });
  $('selection-clear').addEventListener('click', () => {
    state.selected.clear();
    render(true);
  });
  $('selection-delete').addEventListener('click', () => actions.remove(selectedEntries()));
  $('selection-move').addEventListener('click', () => actions.askMove(selectedEntries()).catch(() => {}));
  for (const th of document.querySelectorAll('#file-table th[data-key]')) {
    th.querySelector('button').addEventListener('click', () => setSort(th.dataset.key));
  }
  $('filter').addEventListener('input', (e) => {
    state.filter = e.target.value;
    render();
  });
}

function wireUploads() {
  $('file-input').addEventListener('change', (e) => {
    uploadTree(targetFolder(), fromInput(e.target.files));
    e.target.value = '';
  });
  $('folder-input').addEventListener('change', (e) => {
    uploadTree(targetFolder(), fromInput(e.target.files));
    e.target.value = '';
  });
  $('new-folder').addEventListener('click', () => actions.newFolder());
  $('uploads-cancel-all').addEventListener('click', () => uploads.cancelAll());
  $('uploads-clear').addEventListener('click', () => uploads.clearFinished());

  // Files and folders from the desktop, dropped anywhere on the files view, go into the open folder.
  const calm = wireDropZone($('files-view'), (dataTransfer) => {
    const walk = takeDrop(dataTransfer);
    const folder = targetFolder();
    walk().then((tree) => uploadTree(folder, tree), (err) => toast(`Could not read what was dropped: ${err.message}`));
  });

  wireDragMove({
    rows: $('file-rows'),
    crumbs: $('crumbs-list'),
    draggedPaths: (name) => (state.selected.has(name) ? [...state.selected] : [name]).map((n) => actions.pathOf(n)),
    targetOf: (el) => (el.matches('a.crumb') ? el.dataset.path : actions.pathOf(el.dataset.name)),
    onMove: (paths, folder) => {
      state.selected.clear();
      actions.moveInto(paths, folder).catch(() => {});
    },
    onFiles: (dataTransfer, folder) => {
      calm();
      const walk = takeDrop(dataTransfer);
      walk().then((tree) => uploadTree(folder, tree), (err) => toast(`Could not read what was dropped: ${err.message}`));
    },
  });
}

function wire() {
  wireAuth(enterFiles);
  $('logout').addEventListener('click', async () => {
    uploads.reset(); // before the logout's round trip: no queued upload may start meanwhile
    try {
      await api.logout();
    } catch { /* the session may already be gone; leaving is what matters */ }
    leaveFiles('');
  });
  $('files-retry').addEventListener('click', () => {
    showFilesError('');
    if (listing.loaded && listing.pageFailed) listing.more().catch(pageError); // carry on where it stopped
    else openFolder(listing.path);
  });
  wireTable();
  wireUploads();
  wireDrive(() => session.user);
  window.addEventListener('hashchange', () => {
    if (state.signedIn) openFromHash();
  });
  setUnauthorizedHandler(() => leaveFiles(SIGNED_OUT));
}

wire();
if (session.token) {
  enterFiles();
} else {
  show('auth');
  selectTab('login');
}
