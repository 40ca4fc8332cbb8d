// The path of the open folder as links, root first. Every link but the current folder is also a drop
// target for moves (data-path holds the folder it stands for).

import { hashFor, segments } from './paths.js';

export function renderCrumbs(list, folder) {
  const parts = segments(folder);
  const items = [{ label: 'All files', path: '' }];
  parts.forEach((p, i) => items.push({ label: p, path: parts.slice(0, i + 1).join('/') }));
  list.replaceChildren(...items.map((it, i) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.className = 'crumb';
    a.href = hashFor(it.path);
    a.textContent = it.label;
    a.dataset.path = it.path;
    if (i === items.length - 1) a.setAttribute('aria-current', 'page');
    li.append(a);
    return li;
  }));
}
