// Folder paths as the server spells them: segments joined by "/", "" for the root. The URL hash holds the
// open folder ("#/a/b", each segment percent-encoded) so back/forward and reload keep it.

export function join(folder, name) { return folder ? `${folder}/${name}` : name; }

export function parentOf(path) {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path) { return path.slice(path.lastIndexOf('/') + 1); }

export function segments(path) { return path ? path.split('/') : []; }

/** Percent-encodes each segment: a "/" inside a name can never pass for a separator. */
export function encodePath(path) { return segments(path).map(encodeURIComponent).join('/'); }

/** True when path is folder itself or anything below it. */
export function within(path, folder) {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

/** The name of folder's direct child on the way down to path (below folder), else null. */
export function childOnTheWay(folder, path) {
  if (path === folder || !within(path, folder)) return null;
  const rest = folder ? path.slice(folder.length + 1) : path;
  const cut = rest.indexOf('/');
  return cut < 0 ? rest : rest.slice(0, cut);
}

export function hashFor(folder) { return `#/${encodePath(folder)}`; }

/** The folder a hash names; a malformed hash is the root rather than an error page. */
export function folderFromHash(hash) {
  const raw = hash.replace(/^#\/?/, '').replace(/\/+$/, '');
  if (!raw) return '';
  try {
    const parts = raw.split('/').map(decodeURIComponent);
    return parts.some((p) => p === '' || p === '.' || p === '..') ? '' : parts.join('/');
  } catch {
    return '';
  }
}

/** Compares like the server does: by UTF-8 bytes, which is the order of Unicode code points. */
export function compareNames(a, b) {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

/** A sentence saying why a typed name cannot be a name, or '' when it looks fine (the server decides). */
export function nameProblem(name) {
  if (!name) return 'Enter a name.';
  if (name.includes('/')) return 'A name cannot contain “/”.';
  if (name === '.' || name === '..') return '“.” and “..” are not names.';
  return '';
}
