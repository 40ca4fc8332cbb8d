// The REST API as the UI uses it. Every request is marked as the UI's (no Basic dialog on 401) and
// carries the session token from sessionStorage.

const TOKEN_KEY = 'dropbox.token';
const USER_KEY = 'dropbox.user';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get user() { return sessionStorage.getItem(USER_KEY); },
  save(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, user);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

/** Called on any 401 of an authenticated request, so the app can return to the login screen. */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export function authHeaders() {
  const h = { 'X-Requested-With': 'dropbox-ui' };
  if (session.token) h.Authorization = `Bearer ${session.token}`;
  return h;
}

export function fileUrl(name) { return `/api/files/${encodeURIComponent(name)}`; }

/** Turns any answer of ours into a sentence a person can act on. */
export async function errorFrom(status, bodyText) {
  let code = '';
  let message = '';
  try {
    const j = JSON.parse(bodyText);
    code = j.error || '';
    message = j.message || '';
  } catch { /* not our JSON: a proxy or a dropped connection */ }
  if (!message) {
    message = status === 0 ? 'The server could not be reached. Check your connection and try again.'
      : `The server answered ${status}.`;
  }
  return new ApiError(status, code, message);
}

async function request(method, path, { body, auth = true } = {}) {
  const headers = auth ? authHeaders() : { 'X-Requested-With': 'dropbox-ui' };
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  if (!res.ok) {
    const err = await errorFrom(res.status, text);
    if (res.status === 401 && auth) onUnauthorized(err);
    throw err;
  }
  return text ? JSON.parse(text) : null;
}

export const api = {
  signup: (username, password) => request('POST', '/api/signup', { body: { username, password }, auth: false }),
  login: (username, password) => request('POST', '/api/login', { body: { username, password }, auth: false }),
  logout: () => request('POST', '/api/logout'),
  me: () => request('GET', '/api/me'),
  list: () => request('GET', '/api/files'),
  remove: (name) => request('DELETE', fileUrl(name)),
  link: (name) => request('POST', `${fileUrl(name)}/link`),
};
