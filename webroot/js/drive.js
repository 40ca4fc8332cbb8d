// "Connect a drive": the WebDAV address of this server (the page's own origin + /dav/) and the line to
// type for each common client, with the signed-in user's name filled in. docs/webdav.md shows the same lines.

import { $ } from './ui.js';

/** The lines for one origin and user; exported so what the panel shows is written in one place. */
export function driveLines(origin, user) {
  const url = `${origin}/dav/`;
  const name = user || 'NAME';
  return {
    url,
    windows: `net use Z: ${url} /user:${name} *`,
    macos: url,
    files: url.replace(/^http(s?):/, 'dav$1:'),
    davfs: `sudo mount -t davfs ${url} /mnt/dropbox`,
    // --no-obscure: the value is already obscured; said outright so rclone never has to guess.
    rclone: `rclone config create dropbox webdav url=${url} vendor=owncloud user=${name} pass=$(rclone obscure PASSWORD) --no-obscure`,
  };
}

function fill(user) {
  const lines = driveLines(location.origin, user);
  $('drive-user').textContent = user || '';
  $('drive-url').value = lines.url;
  for (const key of ['windows', 'macos', 'files', 'davfs', 'rclone']) $(`drive-${key}`).textContent = lines[key];
  $('drive-plain').hidden = location.protocol === 'https:';
  $('drive-copied').textContent = '';
}

/** Selects the element's text, so that Ctrl+C / long-press copies it when the clipboard API cannot. */
function selectText(el) {
  if (el instanceof HTMLInputElement) {
    el.focus();
    el.select();
    return;
  }
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

async function copy(el) {
  const text = el instanceof HTMLInputElement ? el.value : el.textContent;
  const status = $('drive-copied');
  try {
    // Missing outside secure contexts (plain http to a host name), and it may be refused: then select.
    if (!navigator.clipboard) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied.';
  } catch {
    selectText(el);
    let copied = false;
    try { copied = document.execCommand('copy'); } catch { /* old API may be gone */ }
    status.textContent = copied ? 'Copied.' : 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}

export function wireDrive(currentUser) {
  const dialog = $('drive');
  $('drive-open').addEventListener('click', () => {
    fill(currentUser());
    dialog.showModal();
    $('drive-url').select();
  });
  $('drive-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => $('drive-open').focus());
  dialog.addEventListener('click', (e) => {
    const id = e.target.closest('button[data-copy]')?.dataset.copy;
    if (id) copy($(id));
  });
}
