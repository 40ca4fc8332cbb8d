// DropBox web UI: accounts, the file table, uploads, downloads, deletes and live updates.
// Plain ES modules, no build step, nothing loaded from outside this server.

import { api, session, setUnauthorizedHandler, ApiError } from './js/api.js';
import { humanSize, humanTime, percent } from './js/format.js';
import { watchEvents } from './js/events.js';
import { UploadQueue } from './js/uploads.js';

const $ = (id) => document.getElementById(id);

const state = {
  files: [],
  usage: null,
  sort: { key: 'name', dir: 1 },
  filter: '',
  stopEvents: null,
  loaded: false,
};

// ------------------------------------------------------------------ views

function show(view) {
  $('auth-view').hidden = view !== 'auth';
  $('files-view').hidden = view !== 'files';
  $('session').hidden = view !== 'files';
}

function showAuthError(message) {
  const el = $('auth-error');
  el.textContent = message;
  el.hidden = !message;
}

function showAuthInfo(message) {
  const el = $('auth-info');
  el.textContent = message;
  el.hidden = !message;
}

function toast(message) {
  const t = $('toast');
  t.textContent = message;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 5000);
}

function showFilesError(message) {
  $('files-error-text').textContent = message || '';
  $('files-error').hidden = !message;
}

// ------------------------------------------------------------------ accounts

function selectTab(which) {
  const login = which === 'login';
  $('tab-login').setAttribute('aria-selected', String(login));
  $('tab-signup').setAttribute('aria-selected', String(!login));
  $('tab-login').tabIndex = login ? 0 : -1;
  $('tab-signup').tabIndex = login ? -1 : 0;
  $('login-form').hidden = !login;
  $('signup-form').hidden = login;
  showAuthError('');
}

function setBusy(form, busy) {
  for (const el of form.elements) el.disabled = busy;
}

async function onLogin(e) {
  e.preventDefault();
  const form = e.target;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showAuthError('Enter your username and password.');
    return;
  }
  setBusy(form, true);
  try {
    const r = await api.login(username, password);
    session.save(r.token, r.username);
    form.reset();
    showAuthError('');
    showAuthInfo('');
    enterFiles();
  } catch (err) {
    showAuthError(err.message);
  } finally {
    setBusy(form, false);
  }
}

async function onSignup(e) {
  e.preventDefault();
  const form = e.target;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showAuthError('Choose a username and a password.');
    return;
  }
  setBusy(form, true);
  try {
    const r = await api.signup(username, password);
    form.reset();
    selectTab('login');
    $('login-username').value = r.username;
    showAuthInfo(`Account “${r.username}” created. Log in to continue.`);
    $('login-password').focus();
  } catch (err) {
    showAuthError(err.message);
  } finally {
    setBusy(form, false);
  }
}

async function onLogout() {
  try {
    await api.logout();
  } catch { /* the session may already be gone; leaving is what matters */ }
  leaveFiles('');
}

function leaveFiles(message) {
  if (state.stopEvents) state.stopEvents();
  state.stopEvents = null;
  session.clear();
  state.files = [];
  state.loaded = false;
  $('file-rows').replaceChildren();
  show('auth');
  selectTab('login');
  showAuthInfo('');
  showAuthError(message);
  $('login-username').focus();
}

// ------------------------------------------------------------------ files

function enterFiles() {
  show('files');
  $('who').textContent = session.user;
  showFilesError('');
  refresh();
  state.stopEvents = watchEvents({
    onFile: () => scheduleRefresh(),
    onState: (s) => setLive(s),
    onUnauthorized: () => leaveFiles('Your session has ended. Please log in again.'),
  });
  $('main').focus();
}

function setLive(s) {
  const el = $('live');
  el.dataset.state = s;
  $('live-text').textContent = s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  // A reconnect may have missed events: catch up.
  if (s === 'live' && state.loaded) scheduleRefresh();
}

let refreshTimer = null;
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 150);
}

async function refresh() {
  try {
    const r = await api.list();
    state.files = r.files;
    state.usage = r.usage;
    state.loaded = true;
    showFilesError('');
    render();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    showFilesError(`Could not load your files. ${err.message}`);
    if (!state.loaded) render();
  }
}

function compare(a, b) {
  const { key, dir } = state.sort;
  let c;
  if (key === 'size') c = a.size - b.size;
  else if (key === 'modified') c = Date.parse(a.modified) - Date.parse(b.modified);
  else c = a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  if (c === 0) c = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return c * dir;
}

function render() {
  renderQuota();
  const needle = state.filter.toLocaleLowerCase();
  const shown = state.files.filter((f) => f.name.toLocaleLowerCase().includes(needle)).sort(compare);
  const rows = shown.map(fileRow);
  $('file-rows').replaceChildren(...rows);
  for (const th of document.querySelectorAll('#file-table th[data-key]')) {
    const k = th.dataset.key;
    th.setAttribute('aria-sort', k === state.sort.key ? (state.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
  }
  const empty = shown.length === 0 && state.loaded;
  $('empty').hidden = !empty;
  $('file-table').classList.toggle('is-empty', empty);
  if (empty) {
    if (state.files.length === 0) {
      $('empty-title').textContent = 'No files yet';
      $('empty-text').innerHTML = 'Drop files anywhere here, or choose <strong>Upload files</strong>.';
    } else {
      $('empty-title').textContent = 'No matching files';
      $('empty-text').textContent = `No file name contains “${state.filter}”.`;
    }
  }
}

function fileRow(f) {
  const tr = document.createElement('tr');
  tr.dataset.name = f.name;
  const name = document.createElement('td');
  name.className = 'name';
  name.textContent = f.name;
  name.title = f.name;
  const size = document.createElement('td');
  size.className = 'num size';
  size.textContent = humanSize(f.size);
  size.title = `${f.size.toLocaleString()} bytes`;
  const mod = document.createElement('td');
  mod.className = 'modified';
  const time = document.createElement('time');
  time.dateTime = f.modified;
  time.textContent = humanTime(f.modified);
  mod.append(time);
  const actions = document.createElement('td');
  actions.className = 'actions';
  const dl = button('Download', `Download ${f.name}`, 'btn small', () => download(f.name, dl));
  dl.classList.add('download');
  const del = button('Delete', `Delete ${f.name}`, 'btn small danger-ghost', () => confirmDelete(f.name));
  del.classList.add('delete');
  actions.append(dl, del);
  tr.append(name, size, mod, actions);
  return tr;
}

function button(text, label, cls, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function renderQuota() {
  const u = state.usage;
  if (!u) return;
  const p = percent(u.usedBytes, u.quotaBytes);
  $('quota-fill').style.width = `${p}%`;
  const bar = $('quota-bar');
  bar.setAttribute('aria-valuenow', String(p));
  bar.dataset.level = p >= 95 ? 'full' : p >= 80 ? 'high' : 'ok';
  const files = u.fileCount === 1 ? '1 file' : `${u.fileCount} files`;
  $('quota-text').textContent = `${humanSize(u.usedBytes)} of ${humanSize(u.quotaBytes)} used · ${files}`;
}

// Downloads are ordinary browser downloads: a short-lived link, then the browser streams the file to
// disk itself. The body never passes through JavaScript.
async function download(name, btn) {
  btn.disabled = true;
  try {
    const { url } = await api.link(name);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
  } catch (err) {
    toast(`Could not download “${name}”: ${err.message}`);
  } finally {
    btn.disabled = false;
  }
}

function confirmDelete(name) {
  const dlg = $('confirm');
  $('confirm-text').textContent = `“${name}” will be deleted. This cannot be undone.`;
  dlg.returnValue = '';
  dlg.onclose = async () => {
    if (dlg.returnValue !== 'ok') return;
    try {
      await api.remove(name);
      state.files = state.files.filter((f) => f.name !== name);
      render();
      toast(`Deleted “${name}”.`);
      scheduleRefresh();
    } catch (err) {
      if (err.status === 404) scheduleRefresh();
      toast(`Could not delete “${name}”: ${err.message}`);
    }
  };
  dlg.showModal();
  $('confirm-cancel').focus();
}

// ------------------------------------------------------------------ uploads

const uploads = new UploadQueue({
  onChange: renderUploads,
  onDone: (it, ok, status) => {
    if (ok) scheduleRefresh();
    else if (status === 401) leaveFiles('Your session has ended. Please log in again.');
  },
});

function renderUploads() {
  const list = $('uploads');
  const items = uploads.items.map((it) => {
    const li = document.createElement('li');
    li.className = `upload ${it.state}`;
    li.dataset.name = it.file.name;
    const name = document.createElement('span');
    name.className = 'upload-name';
    name.textContent = it.file.name;
    const bar = document.createElement('progress');
    bar.max = 100;
    const p = it.state === 'done' ? 100 : percent(it.loaded, it.total || 1);
    bar.value = p;
    bar.setAttribute('aria-label', `Upload of ${it.file.name}`);
    const status = document.createElement('span');
    status.className = 'upload-status';
    status.textContent = it.state === 'done' ? 'Done · 100 %'
      : it.state === 'failed' ? it.error
        : it.state === 'cancelled' ? 'Cancelled'
          : it.state === 'waiting' ? 'Waiting…' : `${Math.floor(p)} %`;
    if (it.state === 'failed') status.setAttribute('role', 'alert');
    const active = it.state === 'sending' || it.state === 'waiting';
    const act = active
      ? button('Cancel', `Cancel upload of ${it.file.name}`, 'btn small', () => uploads.cancel(it.id))
      : button('Dismiss', `Dismiss ${it.file.name}`, 'btn small ghost', () => uploads.dismiss(it.id));
    act.classList.add(active ? 'cancel' : 'dismiss');
    li.append(name, bar, status, act);
    return li;
  });
  list.replaceChildren(...items);
}

function addFiles(fileList) {
  const files = [...fileList];
  if (files.length) uploads.add(files);
}

// ------------------------------------------------------------------ wiring

function wire() {
  $('login-form').addEventListener('submit', onLogin);
  $('signup-form').addEventListener('submit', onSignup);
  $('tab-login').addEventListener('click', () => selectTab('login'));
  $('tab-signup').addEventListener('click', () => selectTab('signup'));
  for (const tab of [$('tab-login'), $('tab-signup')]) {
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = tab.id === 'tab-login' ? 'signup' : 'login';
        selectTab(next);
        $(`tab-${next}`).focus();
      }
    });
  }
  $('logout').addEventListener('click', onLogout);
  $('files-retry').addEventListener('click', refresh);
  $('filter').addEventListener('input', (e) => {
    state.filter = e.target.value;
    render();
  });
  for (const th of document.querySelectorAll('#file-table th[data-key]')) {
    th.querySelector('button').addEventListener('click', () => {
      const k = th.dataset.key;
      state.sort = { key: k, dir: state.sort.key === k ? -state.sort.dir : 1 };
      render();
    });
  }
  $('file-input').addEventListener('change', (e) => {
    addFiles(e.target.files);
    e.target.value = '';
  });

  const zone = $('files-view');
  let depth = 0;
  zone.addEventListener('dragenter', (e) => {
    if (![...e.dataTransfer.types].includes('Files')) return;
    e.preventDefault();
    depth++;
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragover', (e) => {
    if ([...e.dataTransfer.types].includes('Files')) e.preventDefault();
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    zone.classList.remove('dragging');
    addFiles(e.dataTransfer.files);
  });
  // A file dropped outside the zone must not navigate away from the app.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  setUnauthorizedHandler(() => leaveFiles('Your session has ended. Please log in again.'));
}

wire();
if (session.token) {
  enterFiles();
} else {
  show('auth');
  selectTab('login');
}
