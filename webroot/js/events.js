// Live updates: GET /api/events read with fetch() and a stream reader, so the Authorization header
// goes along (EventSource cannot send it). Reconnects with a growing pause; gives up on 401.

import { authHeaders } from './api.js';

export function watchEvents({ onFile, onState, onUnauthorized }) {
  let controller = null;
  let stopped = false;
  let retry = 1000;

  async function connect() {
    if (stopped) return;
    controller = new AbortController();
    onState('connecting');
    try {
      const res = await fetch('/api/events', { headers: authHeaders(), signal: controller.signal, cache: 'no-store' });
      if (res.status === 401) {
        stopped = true;
        onUnauthorized();
        return;
      }
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      onState('live');
      retry = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          dispatch(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch (e) {
      if (stopped) return;
    }
    if (stopped) return;
    onState('offline');
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 30000);
  }

  function dispatch(block) {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event === 'file' && data.length) {
      try {
        onFile(JSON.parse(data.join('\n')));
      } catch { /* a malformed event is skipped */ }
    }
  }

  connect();
  return () => {
    stopped = true;
    if (controller) controller.abort();
  };
}
