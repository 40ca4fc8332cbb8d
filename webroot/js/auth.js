// The signed-out screen: log in and sign up tabs. onSignedIn runs once a session token is saved.

import { api, session } from './api.js';
import { $ } from './ui.js';

export function showAuthError(message) {
  const el = $('auth-error');
  el.textContent = message;
  el.hidden = !message;
}

export function showAuthInfo(message) {
  const el = $('auth-info');
  el.textContent = message;
  el.hidden = !message;
}

export function selectTab(which) {
  const login = which === 'login';
  $('tab-login').setAttribute('aria-selected', String(login));
  $('tab-signup').setAttribute('aria-selected', String(!login));
  $('tab-login').tabIndex = login ? 0 : -1;
  $('tab-signup').tabIndex = login ? -1 : 0;
  $('login-form').hidden = !login;
  $('signup-form').hidden = login;
  showAuthError('');
}

function setBusy(form, busy) {
  for (const el of form.elements) el.disabled = busy;
}

export function wireAuth(onSignedIn) {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username || !password) {
      showAuthError('Enter your username and password.');
      return;
    }
    setBusy(form, true);
    try {
      const r = await api.login(username, password);
      session.save(r.token, r.username);
      form.reset();
      showAuthError('');
      showAuthInfo('');
      onSignedIn();
    } catch (err) {
      showAuthError(err.message);
    } finally {
      setBusy(form, false);
    }
  });

  $('signup-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username || !password) {
      showAuthError('Choose a username and a password.');
      return;
    }
    setBusy(form, true);
    try {
      const r = await api.signup(username, password);
      form.reset();
      selectTab('login');
      $('login-username').value = r.username;
      showAuthInfo(`Account “${r.username}” created. Log in to continue.`);
      $('login-password').focus();
    } catch (err) {
      showAuthError(err.message);
    } finally {
      setBusy(form, false);
    }
  });

  $('tab-login').addEventListener('click', () => selectTab('login'));
  $('tab-signup').addEventListener('click', () => selectTab('signup'));
  for (const tab of [$('tab-login'), $('tab-signup')]) {
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = tab.id === 'tab-login' ? 'signup' : 'login';
        selectTab(next);
        $(`tab-${next}`).focus();
      }
    });
  }
}
