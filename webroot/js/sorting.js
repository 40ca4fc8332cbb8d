// The order of a listing, as the server sorts it, so an entry arriving by a live event lands where the
// next page would have put it. Name order is folders first, then by UTF-8 bytes of the name.

import { compareNames } from './paths.js';

const folderFirst = (a, b) => (a.type === b.type ? 0 : a.type === 'folder' ? -1 : 1);
const time = (e) => Date.parse(e.modified) || 0;

export function comparator({ key, order }) {
  const dir = order === 'desc' ? -1 : 1;
  return (a, b) => {
    let c;
    if (key === 'size') c = (a.size ?? -1) - (b.size ?? -1);
    else if (key === 'modified') c = time(a) - time(b);
    else c = folderFirst(a, b);
    if (c === 0) c = compareNames(a.name, b.name);
    return c * dir;
  };
}
