// Files and folders dragged in from the desktop and dropped anywhere on the files view. The zone lights
// up while such a drag is over it; drags of our own rows (MOVE_TYPE) are not uploads and are left to
// the move targets. Returns calm(), which puts the zone back when another target took the drop.

import { MOVE_TYPE } from './dragmove.js';

const types = (e) => [...(e.dataTransfer?.types || [])];

export function wireDropZone(zone, onDrop) {
  let depth = 0;
  const isFiles = (e) => types(e).includes('Files') && !types(e).includes(MOVE_TYPE);
  const calm = () => {
    depth = 0;
    zone.classList.remove('dragging');
  };
  zone.addEventListener('dragenter', (e) => {
    if (!isFiles(e)) return;
    e.preventDefault();
    depth++;
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragover', (e) => {
    if (isFiles(e)) e.preventDefault();
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    calm();
    if (isFiles(e)) onDrop(e.dataTransfer);
  });
  // A file dropped outside the zone must not navigate away from the app: such drops are taken and
  // refused ("none"). Drags of our own rows are left alone, so only real targets accept them.
  window.addEventListener('dragover', (e) => {
    if (e.defaultPrevented || !types(e).includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'none';
  });
  window.addEventListener('drop', (e) => e.preventDefault());
  return calm;
}
