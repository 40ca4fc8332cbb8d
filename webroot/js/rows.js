// One table row per folder entry. Rows carry data-name and data-type; their buttons carry a class naming
// the action (download, rename, move, delete), which the table's one click handler dispatches on.

import { humanSize, humanTime } from './format.js';
import { hashFor, join } from './paths.js';

function actionButton(text, action, label) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `btn small ${action === 'delete' ? 'danger-ghost' : ''} ${action}`;
  b.dataset.action = action;
  b.textContent = text;
  b.setAttribute('aria-label', label);
  return b;
}

/** folder: the open folder's path; folders: whether this server has folders (rename/move/drag). */
export function entryRow(e, { folder, folders, selected }) {
  const isFolder = e.type === 'folder';
  const tr = document.createElement('tr');
  tr.dataset.name = e.name;
  tr.dataset.type = e.type;
  if (folders) tr.draggable = true;
  if (selected) tr.classList.add('selected');

  const pick = document.createElement('td');
  pick.className = 'pick';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.className = 'pick';
  box.checked = selected;
  box.setAttribute('aria-label', `Select ${e.name}`);
  pick.append(box);

  const name = document.createElement('td');
  name.className = 'name';
  const icon = document.createElement('span');
  icon.className = `icon ${isFolder ? 'folder' : 'file'}`;
  icon.setAttribute('aria-hidden', 'true');
  let label;
  if (isFolder) {
    label = document.createElement('a');
    label.className = 'open';
    label.href = hashFor(join(folder, e.name));
    label.setAttribute('aria-label', `Open folder ${e.name}`);
  } else {
    label = document.createElement('span');
  }
  label.textContent = e.name;
  label.title = e.name;
  const cell = document.createElement('div');
  cell.className = 'name-cell';
  cell.append(icon, label);
  name.append(cell);

  const size = document.createElement('td');
  size.className = 'num size';
  if (isFolder) size.textContent = '—';
  else {
    size.textContent = humanSize(e.size);
    size.title = `${e.size.toLocaleString()} bytes`;
  }

  const mod = document.createElement('td');
  mod.className = 'modified';
  const time = document.createElement('time');
  time.dateTime = e.modified;
  time.textContent = humanTime(e.modified);
  mod.append(time);

  const actions = document.createElement('td');
  actions.className = 'actions';
  if (!isFolder) actions.append(actionButton('Download', 'download', `Download ${e.name}`));
  if (folders) {
    actions.append(actionButton('Rename', 'rename', `Rename ${e.name}`),
      actionButton('Move', 'move', `Move ${e.name}`));
  }
  actions.append(actionButton('Delete', 'delete', `Delete ${e.name}`));

  tr.append(pick, name, size, mod, actions);
  return tr;
}
