import { call, RpcError, setToken, token } from './api.js';
import { h, notice, replace } from './dom.js';
import { executionPage, jobPage } from './job-page.js';
import { jobsPage } from './jobs-page.js';
import { livePage, stopWatching } from './live-page.js';
import { loadServerInfo, roles, serverInfo, subject } from './session.js';
import { subscriptionPage, webhooksPage } from './webhooks-page.js';

const main = document.getElementById('main') as HTMLElement;
const account = document.getElementById('account') as HTMLElement;

/** Hash routes, so moving between pages never reloads the document: #/jobs, #/jobs/<id>, #/executions/<id>, #/live, #/webhooks, #/webhooks/<id>. */
async function route(): Promise<void> {
  renderAccount();
  const path = location.hash.replace(/^#/, '') || '/jobs';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('header nav a')) {
    if (path.startsWith(link.getAttribute('href')?.slice(1) ?? '~')) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (serverInfo().auth && !token()) return signIn();
  const [, section, id] = path.split('/');
  if (section === 'jobs' && id) await jobPage(main, decodeURIComponent(id));
  else if (section === 'executions' && id) await executionPage(main, decodeURIComponent(id));
  else if (section === 'live') livePage(main);
  else if (section === 'webhooks' && id) await subscriptionPage(main, decodeURIComponent(id));
  else if (section === 'webhooks') await webhooksPage(main);
  else await jobsPage(main);
  // Moving focus to the new page's heading tells keyboard and screen-reader users the page changed.
  main.querySelector('h1')?.setAttribute('tabindex', '-1');
  if (document.activeElement === document.body || document.activeElement?.closest('header')) (main.querySelector('h1') as HTMLElement | null)?.focus();
}

function renderAccount(): void {
  if (!serverInfo().auth) return replace(account, h('span', { class: 'muted' }, 'authentication off'));
  if (!token()) return replace(account, h('span', { class: 'muted' }, 'not signed in'));
  const held = [...roles()].filter((role) => role !== 'worker').join(', ') || 'no role';
  replace(
    account,
    h('span', {}, `${subject() ?? 'signed in'} (${held})`),
    ' ',
    h('button', { type: 'button', onclick: () => (setToken(null), stopWatching(), void route()) }, 'Sign out'),
  );
}

function signIn(message?: string): void {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
  const status = h('div', { 'aria-live': 'polite' }, message ? notice(message, 'error') : null);
  replace(
    main,
    h('h1', {}, 'Sign in'),
    h(
      'form',
      {
        class: 'sign-in',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          setToken(input.value.trim());
          try {
            await call('GetSchedulerMetrics');
            stopWatching();
            await route();
          } catch (error) {
            setToken(null);
            replace(status, notice(`Not signed in: ${(error as RpcError).message}`, 'error'));
          }
        },
      },
      h('label', { for: 'token' }, 'Bearer token'),
      input,
      h('p', { id: 'token-help', class: 'muted' }, 'A JWT your identity provider issued for this service. It is kept in this tab only. A reader token shows everything with the controls disabled.'),
      h('button', { type: 'submit' }, 'Sign in'),
    ),
    status,
  );
  input.focus();
}

window.addEventListener('hashchange', () => void route());
void loadServerInfo().then(
  () => route(),
  () => replace(main, notice('The service cannot be reached.', 'error')),
);
