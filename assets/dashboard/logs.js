// The logs page: the filter form → /api/logs/stream (server-sent events) → rows built with textContent (no HTML from a log
// line ever reaches the page). The form's values are kept in the address bar, so every view of the logs has a URL.
(() => {
  const MAX_LINES = 2000;
  const form = document.getElementById('log-filters');
  const box = document.getElementById('log-lines');
  const status = document.getElementById('log-status');
  let source;

  const span = (cls, text) => {
    const el = document.createElement('span');
    el.className = cls;
    el.textContent = text;
    return el;
  };

  function row(line) {
    const div = document.createElement('div');
    div.className = `log-line level-${line.l}`;
    div.append(span('t', line.t.slice(11, 23)), ' ', span('s', line.s), ' ', span('l', line.l), ' ', span('m', line.m));
    if (line.x) div.append(' ', span('x', line.x));
    if (line.tr) {
      const a = document.createElement('a');
      a.href = `/traces/${line.tr}`;
      a.className = 'trace-link';
      a.textContent = `trace ${line.tr}`;
      div.append(' ', a);
    }
    if (line.st) {
      const pre = document.createElement('pre');
      pre.textContent = line.st.join('\n');
      div.append(pre);
    }
    return div;
  }

  function connect() {
    source?.close();
    box.replaceChildren();
    const query = new URLSearchParams(new FormData(form));
    for (const [key, value] of [...query]) if (value === '') query.delete(key);
    history.replaceState(null, '', `/logs${query.size ? `?${query}` : ''}`);
    status.textContent = 'connecting…';
    source = new EventSource(`/api/logs/stream?${query}`);
    source.addEventListener('ready', (event) => {
      const { services } = JSON.parse(event.data);
      status.textContent = `live · ${services.length ? services.join(', ') : 'waiting for logs'}`;
    });
    source.addEventListener('lines', (event) => {
      const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
      const fragment = document.createDocumentFragment();
      for (const line of JSON.parse(event.data)) fragment.append(row(line));
      box.append(fragment);
      while (box.childElementCount > MAX_LINES) box.firstElementChild.remove();
      if (atBottom) box.scrollTop = box.scrollHeight;
    });
    source.addEventListener('failure', (event) => {
      status.textContent = JSON.parse(event.data).message;
      source.close();
    });
    source.onerror = () => (status.textContent = 'reconnecting…');
  }

  let timer;
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(connect, 300);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    connect();
  });
  connect();
})();
