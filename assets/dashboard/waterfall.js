// The trace page: one click handler for every span row (the rows carry no htmx attributes, so a 1,000-span trace stays light);
// the clicked span's panel comes from the server through htmx. The time to the first frame with the waterfall is kept in
// window.msxWaterfallRendered (bench/dashboard.mjs and the browser test read it).
(() => {
  const list = document.getElementById('waterfall');
  if (!list) return;
  let selected;
  list.addEventListener('click', (event) => {
    const row = event.target.closest('.span-row');
    if (!row) return;
    selected?.classList.remove('selected');
    (selected = row).classList.add('selected');
    htmx.ajax('GET', `/traces/${list.dataset.trace}/spans/${row.dataset.span}`, { target: '#span-detail', swap: 'innerHTML' });
  });
  requestAnimationFrame(() => requestAnimationFrame(() => (window.msxWaterfallRendered = performance.now())));
})();
