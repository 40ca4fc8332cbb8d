// The two modal dialogs: a yes/no confirmation and a one-field question (new folder, rename, move to).
// Both are native <dialog>s: focus is trapped and Escape cancels without any code of ours.

import { $ } from './ui.js';

/** Resolves true when the person chose the confirming button. */
export function confirmAction({ title, text, ok = 'Delete' }) {
  const dlg = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = ok;
  dlg.returnValue = '';
  return new Promise((resolve) => {
    dlg.onclose = () => resolve(dlg.returnValue === 'ok');
    dlg.showModal();
    $('confirm-cancel').focus();
  });
}

/**
 * Asks for one value. submit(value) runs while the dialog stays open: a thrown error's message is shown
 * in it so the person can correct the value; a problem(value) sentence is shown before anything is sent.
 * Resolves with submit's result, or null when cancelled.
 */
export function ask({ title, label, value = '', ok = 'OK', select, problem = () => '', submit }) {
  const dlg = $('ask');
  const form = $('ask-form');
  const input = $('ask-input');
  const error = $('ask-error');
  const okButton = $('ask-ok');
  $('ask-title').textContent = title;
  $('ask-label').textContent = label;
  okButton.textContent = ok;
  input.value = value;
  error.hidden = true;
  return new Promise((resolve) => {
    let result = null;
    const fail = (message) => {
      error.textContent = message;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    };
    form.onsubmit = async (e) => {
      e.preventDefault();
      // Not trimmed: spaces at either end are part of a legal name, and a Rename left unchanged must not
      // rename. Only a value of nothing but spaces counts as empty.
      const v = input.value.trim() === '' ? '' : input.value;
      const p = problem(v);
      if (p) {
        fail(p);
        return;
      }
      okButton.disabled = true;
      try {
        result = await submit(v);
        dlg.close();
      } catch (err) {
        fail(err.message);
      } finally {
        okButton.disabled = false;
      }
    };
    $('ask-cancel').onclick = () => dlg.close();
    dlg.onclose = () => {
      input.removeAttribute('aria-invalid');
      resolve(result);
    };
    dlg.showModal();
    input.focus();
    if (select) input.setSelectionRange(select[0], select[1]);
    else input.select();
  });
}
