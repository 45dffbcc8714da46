import { html, type SafeHtml } from './html.js';

const PAGES = [
  ['/services', 'Services'],
  ['/logs', 'Logs'],
  ['/traces', 'Traces'],
  ['/graph', 'Graph'],
] as const;

/** Every page: the same head (our own assets only), the navigation, and its body. */
export function layout(title: string, current: string, body: SafeHtml, scripts: string[] = []): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · msx</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/htmx.min.js" defer></script>
${scripts.map((name) => html`<script src="/assets/${name}" defer></script>`)}
</head>
<body>
<header><strong>msx</strong><nav>${PAGES.map(([href, label]) => html`<a href="${href}"${href === current ? html` class="current"` : ''}>${label}</a>`)}</nav></header>
<main>${body}</main>
</body>
</html>`;
}
