// The trace page's waterfall, virtualized: every span arrives as one JSON row (src/dashboard/waterfall.ts) and only the
// rows in view (plus a margin) exist in the DOM, placed absolutely in a spacer as tall as all of them; scrolling redraws
// them on the next frame. One click handler serves every row; the clicked span's panel comes from the server via htmx.
// window.msxWaterfallRendered: ms from navigation start until the first draw is painted (bench/dashboard.mjs).
(() => {
  const list = document.getElementById('waterfall');
  const source = document.getElementById('waterfall-data');
  if (!list || !source) return;
  const { services, rows } = JSON.parse(source.textContent);
  const ROW = 20;
  const INDENT = 12;
  const MAX_DEPTH = 24;
  const MARGIN = 15;
  const inner = list.querySelector('.waterfall-rows');
  inner.style.height = `${rows.length * ROW}px`;
  let selected;
  let drawn = '';
  let pending = false;

  function element(tag, cls, text) {
    const el = document.createElement(tag);
    el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function rowElement(index) {
    const [id, depth, service, name, left, width, duration, error] = rows[index];
    const colour = `c${service % 8}`;
    const row = element('div', `span-row${error ? ' error' : ''}${id === selected ? ' selected' : ''}`);
    row.dataset.span = id;
    row.style.top = `${index * ROW}px`;
    const label = element('div', 'span-label');
    label.style.paddingLeft = `${Math.min(depth, MAX_DEPTH) * INDENT + 4}px`;
    label.append(element('b', colour, services[service]), ` ${name}`);
    const track = element('div', 'span-track');
    const bar = element('div', `span-bar ${colour}`);
    bar.style.left = `${left}%`;
    bar.style.width = `${width}%`;
    const ms = element('span', 'span-ms', duration);
    // After the bar; before it when the bar reaches the right edge; inside it when it spans the whole track.
    if (left + width < 88) ms.style.left = `${left + width}%`;
    else if (left > 12) Object.assign(ms.style, { right: `${100 - left}%`, marginRight: '4px' });
    else Object.assign(ms.style, { right: '4px', color: '#fff' });
    track.append(bar, ms);
    row.append(label, track);
    return row;
  }

  function draw() {
    pending = false;
    const first = Math.max(0, Math.floor(list.scrollTop / ROW) - MARGIN);
    const last = Math.min(rows.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW) + MARGIN);
    const key = `${first}:${last}:${selected}`;
    if (key === drawn) return;
    drawn = key;
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) fragment.append(rowElement(i));
    inner.replaceChildren(fragment);
  }

  list.addEventListener('scroll', () => {
    if (!pending) requestAnimationFrame(draw);
    pending = true;
  });
  list.addEventListener('click', (event) => {
    const row = event.target.closest('.span-row');
    if (!row) return;
    selected = row.dataset.span;
    for (const el of inner.querySelectorAll('.span-row.selected')) el.classList.remove('selected');
    row.classList.add('selected');
    htmx.ajax('GET', `/traces/${list.dataset.trace}/spans/${selected}`, { target: '#span-detail', swap: 'innerHTML' });
  });
  draw();
  // Rendered: two frames after the first draw, and not before the first contentful paint (headless frames can run ahead of it).
  const framed = new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const painted = new Promise((resolve) => {
    const seen = () => performance.getEntriesByName('first-contentful-paint').length > 0;
    if (seen()) return resolve();
    new PerformanceObserver((_list, observer) => seen() && (observer.disconnect(), resolve())).observe({ type: 'paint', buffered: true });
  });
  Promise.all([framed, painted]).then(() => (window.msxWaterfallRendered = performance.now()));
})();
