// The quota bar: used of allowed bytes, coloured as it fills, with the file count beside it.

import { humanSize, percent } from './format.js';
import { $ } from './ui.js';

export function renderQuota(u) {
  if (!u) return;
  const p = percent(u.usedBytes, u.quotaBytes);
  $('quota-fill').style.width = `${p}%`;
  const bar = $('quota-bar');
  bar.setAttribute('aria-valuenow', String(p));
  bar.dataset.level = p >= 95 ? 'full' : p >= 80 ? 'high' : 'ok';
  const files = u.fileCount === 1 ? '1 file' : `${u.fileCount} files`;
  $('quota-text').textContent = `${humanSize(u.usedBytes)} of ${humanSize(u.quotaBytes)} used · ${files}`;
}
