import type { Json } from './api.js';
import { h, notice, replace } from './dom.js';

/** A table read a page at a time by page token: the job's executions, a subscription's deliveries, the occurrences. */
export interface PagedTable {
  /** Reads one page; the first page's token is ''. */
  read(pageToken: string): Promise<Json>;
  /** The response field that holds the page's rows. */
  readonly items: string;
  readonly columns: readonly string[];
  row(item: Json): HTMLElement;
  /** Shown instead of a table without rows. */
  readonly empty: string;
  /** Shown when a page cannot be read. */
  failed(error: unknown): HTMLElement;
  readonly pager: {
    readonly label: string;
    readonly back: string;
    readonly forward: string;
    /** No pager at all while everything fits on the first page. */
    readonly onlyWhenPaged?: boolean;
  };
}

/**
 * Shows page `page` of `table` in `section`, below its heading (its first child). `tokens` holds
 * the page tokens seen so far, for going back.
 */
export async function showPagedTable(section: HTMLElement, table: PagedTable, tokens: string[] = [''], page = 0): Promise<void> {
  const heading = section.firstChild as Node;
  let response: Json;
  try {
    response = await table.read(tokens[page] as string);
  } catch (error) {
    replace(section, heading, table.failed(error));
    return;
  }
  const list = (response[table.items] ?? []) as Json[];
  if (response.nextPageToken) tokens[page + 1] = response.nextPageToken;
  const show = (other: number) => () => void showPagedTable(section, table, tokens, other);
  replace(
    section,
    heading,
    list.length === 0
      ? notice(table.empty)
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ...table.columns.map((name) => h('th', { scope: 'col' }, name)))),
            h('tbody', {}, ...list.map((item) => table.row(item))),
          ),
        ),
    table.pager.onlyWhenPaged && page === 0 && !response.nextPageToken
      ? null
      : h(
          'nav',
          { class: 'pager', 'aria-label': table.pager.label },
          h('button', { type: 'button', disabled: page === 0, onclick: show(page - 1) }, table.pager.back),
          h('span', {}, `Page ${page + 1}`),
          h('button', { type: 'button', disabled: !response.nextPageToken, onclick: show(page + 1) }, table.pager.forward),
        ),
  );
}
