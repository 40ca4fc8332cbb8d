// The REST API as the UI uses it. Every request is marked as the UI's (no Basic dialog on 401) and
// carries the session token from sessionStorage.

import { ApiError, errorFrom, networkError } from './errors.js';
import { encodePath } from './paths.js';

export { ApiError, errorFrom };

const TOKEN_KEY = 'dropbox.token';
const USER_KEY = 'dropbox.user';

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

export function fileUrl(path) { return `/api/files/${encodePath(path)}`; }
export function folderUrl(path) { return `/api/folders/${encodePath(path)}`; }

async function request(method, url, { body, auth = true, withStatus = false } = {}) {
  const headers = auth ? authHeaders() : { 'X-Requested-With': 'dropbox-ui' };
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw networkError();
  }
  if (res.status === 204) return null;
  const text = await res.text();
  if (!res.ok) {
    const err = errorFrom(res.status, text);
    if (res.status === 401 && auth) onUnauthorized(err);
    throw err;
  }
  try {
    const json = text ? JSON.parse(text) : null;
    return withStatus ? { status: res.status, json } : json;
  } catch {
    throw new ApiError(res.status, 'bad_answer', 'The server sent an answer the page cannot read.');
  }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  signup: (username, password) => request('POST', '/api/signup', { body: { username, password }, auth: false }),
  login: (username, password) => request('POST', '/api/login', { body: { username, password }, auth: false }),
  logout: () => request('POST', '/api/logout'),
  me: () => request('GET', '/api/me'),
  list: () => request('GET', '/api/files'),
  remove: (path) => request('DELETE', fileUrl(path)),
  link: (path) => request('POST', `${fileUrl(path)}/link`),
  // Folders (storage.engine=v2)
  folder: (path, { limit, cursor, sort, order } = {}) =>
    request('GET', folderUrl(path) + query({ limit, cursor, sort, order })),
  mkdir: (path) => request('PUT', folderUrl(path)),
  /** 201 when made, 200 when it was already there. */
  mkdirStatus: async (path) => (await request('PUT', folderUrl(path), { withStatus: true })).status,
  rmdir: (path) => request('DELETE', folderUrl(path)),
  move: (from, to) => request('POST', '/api/move', { body: { from, to, overwrite: false } }),
};
