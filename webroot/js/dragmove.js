// Moving by drag and drop inside the page: a row (or every selected row, when a selected one is dragged)
// dropped onto a folder row or a breadcrumb moves there. Files dragged in from the desktop and dropped on
// a folder row upload into that folder. Our own drags carry MIME type MOVE_TYPE, so the upload drop zone
// and these targets never mistake one for the other.

export const MOVE_TYPE = 'application/x-dropbox-move';

const hasType = (e, t) => [...(e.dataTransfer?.types || [])].includes(t);

/**
 * rows: the tbody; crumbs: the breadcrumb list. draggedPaths(name) says what a drag of that row carries;
 * targetOf(el) gives the folder path an element stands for (or null); onMove(paths, folder) and
 * onFiles(dataTransfer, folder) do the work.
 */
export function wireDragMove({ rows, crumbs, draggedPaths, targetOf, onMove, onFiles }) {
  rows.addEventListener('dragstart', (e) => {
    const tr = e.target.closest?.('tr[data-name]');
    if (!tr) return;
    const paths = draggedPaths(tr.dataset.name);
    e.dataTransfer.setData(MOVE_TYPE, JSON.stringify(paths));
    e.dataTransfer.setData('text/plain', paths.join('\n'));
    e.dataTransfer.effectAllowed = 'move';
    tr.classList.add('dragged');
  });
  rows.addEventListener('dragend', (e) => {
    e.target.closest?.('tr')?.classList.remove('dragged');
  });

  const targetFrom = (e) => {
    const el = e.target.closest?.('tr[data-type="folder"], a.crumb:not([aria-current])');
    if (!el) return null;
    const path = targetOf(el);
    return path === null ? null : { el, path };
  };
  let lit = null;
  const light = (el) => {
    if (lit === el) return;
    lit?.classList.remove('drop-target');
    lit = el;
    lit?.classList.add('drop-target');
  };

  for (const area of [rows, crumbs]) {
    area.addEventListener('dragover', (e) => {
      const t = targetFrom(e);
      const ours = hasType(e, MOVE_TYPE);
      if (!t || (!ours && !hasType(e, 'Files'))) {
        light(null);
        return;
      }
      e.preventDefault();
      e.dataTransfer.dropEffect = ours ? 'move' : 'copy';
      light(t.el);
    });
    area.addEventListener('dragleave', (e) => {
      if (lit && !lit.contains(e.relatedTarget)) light(null);
    });
    area.addEventListener('drop', (e) => {
      light(null);
      const t = targetFrom(e);
      if (!t) return;
      if (hasType(e, MOVE_TYPE)) {
        e.preventDefault();
        e.stopPropagation();
        let paths = [];
        try {
          paths = JSON.parse(e.dataTransfer.getData(MOVE_TYPE));
        } catch { return; }
        onMove(paths.filter((p) => typeof p === 'string' && p !== t.path), t.path);
      } else if (hasType(e, 'Files')) {
        e.preventDefault();
        e.stopPropagation();
        onFiles(e.dataTransfer, t.path);
      }
    });
  }
}
