// What a person hands over for upload, as a tree: {folders, files}, each with its path relative to the
// folder it goes into. A dropped folder is walked through the File System entries API (webkitGetAsEntry,
// readEntries in batches until empty), so empty sub-folders come along; a folder picked with the
// webkitdirectory input brings webkitRelativePath on every file.

import { parentOf } from './paths.js';

/**
 * Must be called inside the drop event: the browser hands out entries only then. Returns a function that
 * walks them later, or null when the browser gave no entries (then dataTransfer.files is all there is).
 */
export function takeDrop(dataTransfer) {
  const items = [...(dataTransfer.items || [])].filter((i) => i.kind === 'file');
  const entries = items.map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null));
  if (!entries.length || entries.some((e) => !e)) {
    const files = [...dataTransfer.files];
    return async () => ({ folders: [], files: files.map((file) => ({ file, rel: file.name })) });
  }
  return () => walk(entries);
}

async function walk(entries) {
  const tree = { folders: [], files: [] };
  const visit = async (entry, rel) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      tree.files.push({ file, rel });
    } else if (entry.isDirectory) {
      tree.folders.push(rel);
      for (const child of await readAll(entry)) await visit(child, `${rel}/${child.name}`);
    }
  };
  for (const e of entries) await visit(e, e.name);
  return tree;
}

/** readEntries answers in batches (100 in Chromium); an empty batch means the end. */
async function readAll(dirEntry) {
  const reader = dirEntry.createReader();
  const all = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return all;
    all.push(...batch);
  }
}

/** Files from an <input type=file>, with or without webkitdirectory. */
export function fromInput(fileList) {
  const files = [...fileList].map((file) => ({ file, rel: file.webkitRelativePath || file.name }));
  const folders = new Set();
  for (const { rel } of files) {
    for (let p = parentOf(rel); p; p = parentOf(p)) folders.add(p);
  }
  return { folders: [...folders], files };
}

/** Folders in an order where every parent comes before its children. */
export function parentsFirst(folders) {
  return [...new Set(folders)].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
}
