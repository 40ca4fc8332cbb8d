// Every failure the UI can meet, as one error type with a sentence a person can act on. The server's own
// message wins (it names the problem exactly); the fallbacks cover answers without our JSON body
// (a proxy, a dropped connection, a server older than the UI).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const FALLBACK = {
  0: 'The server could not be reached. Check your connection and try again.',
  400: 'The server did not accept this request.',
  401: 'Your session has ended. Please log in again.',
  403: 'You are not allowed to do this.',
  404: 'It is no longer there: someone may have moved or deleted it.',
  405: 'The server does not offer this action.',
  409: 'It conflicts with a file or folder that is already there.',
  412: 'It was changed by someone else in the meantime.',
  413: 'It is larger than the server accepts.',
  423: 'It is locked by another operation right now. Try again in a moment.',
  429: 'Too many requests. Wait a moment and try again.',
  500: 'The server ran into a problem. Try again later.',
  503: 'The server is busy. Try again in a moment.',
  504: 'The server took too long to answer. Try again.',
  507: 'There is not enough space left in your quota.',
};

export function fallbackMessage(status) {
  return FALLBACK[status] || `The server answered ${status}.`;
}

/** Turns any answer of ours into an ApiError carrying the server's code and message. */
export function errorFrom(status, bodyText) {
  let code = '';
  let message = '';
  try {
    const j = JSON.parse(bodyText);
    code = j.error || '';
    message = j.message || '';
  } catch { /* not our JSON */ }
  return new ApiError(status, code, message || fallbackMessage(status));
}

export const networkError = () => new ApiError(0, 'network', FALLBACK[0]);
