// The list of uploads under the toolbar: one row per file with its progress bar, its state and a Cancel
// (while it runs) or Dismiss (after) button, plus Cancel all / Clear for folder-sized batches.

import { percent } from './format.js';
import { $, button } from './ui.js';

export function renderUploads(queue) {
  const items = queue.items.map((it) => {
    const li = document.createElement('li');
    li.className = `upload ${it.state}`;
    li.dataset.name = it.label;
    const name = document.createElement('span');
    name.className = 'upload-name';
    name.textContent = it.label;
    name.title = it.path;
    const bar = document.createElement('progress');
    bar.max = 100;
    const p = it.state === 'done' ? 100 : percent(it.loaded, it.total || 1);
    bar.value = p;
    bar.setAttribute('aria-label', `Upload of ${it.label}`);
    const status = document.createElement('span');
    status.className = 'upload-status';
    status.textContent = it.state === 'done' ? 'Done · 100 %'
      : it.state === 'failed' ? it.error
        : it.state === 'cancelled' ? 'Cancelled'
          : it.state === 'waiting' ? 'Waiting…' : `${Math.floor(p)} %`;
    if (it.state === 'failed') status.setAttribute('role', 'alert');
    const active = it.state === 'sending' || it.state === 'waiting';
    const act = active
      ? button('Cancel', `Cancel upload of ${it.label}`, 'btn small', () => queue.cancel(it.id))
      : button('Dismiss', `Dismiss ${it.label}`, 'btn small ghost', () => queue.dismiss(it.id));
    act.classList.add(active ? 'cancel' : 'dismiss');
    li.append(name, bar, status, act);
    return li;
  });
  $('uploads').replaceChildren(...items);
  const many = queue.items.length > 1;
  $('uploads-bar').hidden = !many;
  $('uploads-cancel-all').hidden = queue.active < 2;
  $('uploads-clear').hidden = queue.items.length === queue.active;
  if (many) {
    const done = queue.items.filter((i) => i.state === 'done').length;
    $('uploads-summary').textContent = `${done} of ${queue.items.length} uploaded`;
  }
}
