// The order of a listing, as the server sorts it, so an entry arriving by a live event lands where the
// next page would have put it, and a folder loaded whole can be re-sorted without asking again.
// By name: folders first (either direction), then names by UTF-8 bytes. By size or modified: folders and
// files mixed, ties broken by name in the same direction. A folder counts as size 0.

import { compareNames } from './paths.js';

const folderFirst = (a, b) => (a.type === b.type ? 0 : a.type === 'folder' ? -1 : 1);
const time = (e) => Date.parse(e.modified) || 0;
const size = (e) => (e.type === 'folder' ? 0 : e.size ?? 0);

export function comparator({ key, order }) {
  const dir = order === 'desc' ? -1 : 1;
  return (a, b) => {
    if (key === 'name') return folderFirst(a, b) || compareNames(a.name, b.name) * dir;
    const c = key === 'size' ? size(a) - size(b) : time(a) - time(b);
    return (c || compareNames(a.name, b.name)) * dir;
  };
}
