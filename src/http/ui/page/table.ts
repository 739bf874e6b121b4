/**
 * One sortable, filterable table: a text search over every column, a select per filter (user,
 * process, port, ...), a count of the rows the filters hide, sorting by any column header (a button,
 * so the keyboard reaches it; aria-sort tells a screen reader), CSV/JSON export of the rows shown by
 * the filters, and rows drawn a page at a time (a 5000-row table draws in milliseconds).
 */
import { append, clear, h, type Child } from './dom.js';
import { download, toCsv } from './export.js';

export interface Column<T> {
  key: string;
  label: string;
  text: (row: T) => string;
  sort?: (row: T) => string | number;
  cell?: (row: T) => Child;
  numeric?: boolean;
  /** Keep on one line (an address:port). */
  nowrap?: boolean;
}

export interface Filter<T> {
  key: string;
  label: string;
  /** Every value a row matches (a listener held by two users matches both). */
  values: (row: T) => string[];
}

export interface TableSpec<T> {
  id: string;
  caption: string;
  columns: Column<T>[];
  filters: Filter<T>[];
  /** Base name of exported files. */
  exportName: string;
  /** The row as exported to JSON (the API's own object by default). */
  json?: (row: T) => unknown;
}

const PAGE_ROWS = 200;
const MAX_OPTIONS = 1000;

export class DataTable<T> {
  readonly root: HTMLElement;
  private rows: T[] = [];
  private haystacks: string[] = [];
  private shown: T[] = [];
  private search = '';
  private readonly chosen = new Map<string, string>();
  private sortKey: string | null = null;
  private sortDir: 1 | -1 = 1;
  private limit = PAGE_ROWS;
  private readonly selects = new Map<string, HTMLSelectElement>();
  private readonly status = h('p', { class: 'count', role: 'status' });
  private readonly note = h('p', { class: 'note' });
  private readonly thead = h('thead');
  private readonly tbody = h('tbody');
  private readonly more = h('button', { type: 'button', class: 'more' }, 'Show more rows');

  constructor(private readonly spec: TableSpec<T>) {
    this.more.addEventListener('click', () => {
      this.limit += PAGE_ROWS;
      this.draw();
    });
    const table = h('table', { id: `${spec.id}-table` }, h('caption', {}, spec.caption), this.thead, this.tbody);
    this.root = h('section', { class: 'view-table', 'aria-label': spec.caption }, this.controls(), this.status, this.note, h('div', { class: 'scroll', tabindex: '0', 'aria-label': `${spec.caption}, scrollable` }, table), this.more);
    this.drawHead();
  }

  /** New rows from a refresh: search, filters, sort and page stay as the user left them. */
  setData(rows: T[], note = ''): void {
    this.rows = rows;
    this.haystacks = rows.map((r) => this.spec.columns.map((c) => c.text(r)).join('\u0000').toLowerCase());
    this.note.textContent = note;
    this.note.hidden = note === '';
    this.fillOptions();
    this.draw();
  }

  private controls(): HTMLElement {
    const id = this.spec.id;
    const search = h('input', { type: 'search', id: `${id}-search`, autocomplete: 'off', spellcheck: 'false' });
    search.addEventListener('input', () => {
      this.search = search.value.toLowerCase();
      this.limit = PAGE_ROWS;
      this.draw();
    });
    const filters = this.spec.filters.map((f) => {
      const select = h('select', { id: `${id}-filter-${f.key}`, 'data-filter': f.key });
      select.addEventListener('change', () => {
        this.chosen.set(f.key, select.value);
        this.limit = PAGE_ROWS;
        this.draw();
      });
      this.selects.set(f.key, select);
      return h('span', { class: 'field' }, h('label', { for: select.id }, f.label), select);
    });
    const reset = h('button', { type: 'button' }, 'Clear filters');
    reset.addEventListener('click', () => {
      search.value = '';
      this.search = '';
      this.chosen.clear();
      for (const s of this.selects.values()) s.value = '';
      this.draw();
    });
    const csv = h('button', { type: 'button', 'data-export': 'csv' }, 'Export CSV');
    csv.addEventListener('click', () => this.exportCsv());
    const json = h('button', { type: 'button', 'data-export': 'json' }, 'Export JSON');
    json.addEventListener('click', () => this.exportJson());
    return h(
      'div',
      { class: 'controls' },
      h('span', { class: 'field' }, h('label', { for: search.id }, 'Search'), search),
      ...filters,
      h('span', { class: 'buttons' }, reset, csv, json),
    );
  }

  private fillOptions(): void {
    for (const f of this.spec.filters) {
      const select = this.selects.get(f.key)!;
      const values = new Set<string>();
      for (const r of this.rows) for (const v of f.values(r)) values.add(v);
      const current = this.chosen.get(f.key) ?? '';
      if (current) values.add(current);
      const sorted = [...values].sort(compareText).slice(0, MAX_OPTIONS);
      clear(select);
      append(select, [h('option', { value: '' }, 'All'), ...sorted.map((v) => h('option', { value: v }, v === '' ? '(none)' : v))]);
      select.value = current;
    }
  }

  private matching(): T[] {
    const active = this.spec.filters.filter((f) => (this.chosen.get(f.key) ?? '') !== '');
    const out: T[] = [];
    for (let i = 0; i < this.rows.length; i++) {
      const r = this.rows[i]!;
      if (this.search && !this.haystacks[i]!.includes(this.search)) continue;
      if (active.every((f) => f.values(r).includes(this.chosen.get(f.key)!))) out.push(r);
    }
    const col = this.spec.columns.find((c) => c.key === this.sortKey);
    if (col) {
      const key = col.sort ?? col.text;
      out.sort((a, b) => this.sortDir * compareValues(key(a), key(b)));
    }
    return out;
  }

  private draw(): void {
    const t0 = performance.now();
    this.shown = this.matching();
    const hidden = this.rows.length - this.shown.length;
    const drawn = Math.min(this.limit, this.shown.length);
    const count = `Showing ${fmt(drawn)} of ${fmt(this.shown.length)} matching rows; ${fmt(hidden)} hidden by the search and filters.`;
    if (this.status.textContent !== count) this.status.textContent = count; // a live region: speak only changes
    const frag = document.createDocumentFragment();
    for (const r of this.shown.slice(0, drawn)) {
      frag.appendChild(h('tr', {}, ...this.spec.columns.map((c) => h('td', { class: `${c.numeric ? 'num' : ''}${c.nowrap ? ' nowrap' : ''}` }, c.cell ? c.cell(r) : c.text(r)))));
    }
    clear(this.tbody);
    this.tbody.appendChild(frag);
    this.more.hidden = drawn >= this.shown.length;
    performance.measure(`render:${this.spec.id}`, { start: t0 });
  }

  private drawHead(): void {
    clear(this.thead);
    const cells = this.spec.columns.map((c) => {
      const sorted = this.sortKey === c.key;
      const button = h('button', { type: 'button', class: 'sort' }, c.label, sorted ? (this.sortDir === 1 ? ' ▲' : ' ▼') : '');
      button.addEventListener('click', () => {
        this.sortDir = sorted ? (this.sortDir === 1 ? -1 : 1) : 1;
        this.sortKey = c.key;
        this.draw();
        this.drawHead();
        (this.thead.querySelector(`[data-col="${c.key}"] button`) as HTMLButtonElement | null)?.focus();
      });
      const aria = sorted ? (this.sortDir === 1 ? 'ascending' : 'descending') : 'none';
      return h('th', { scope: 'col', 'aria-sort': aria, 'data-col': c.key }, button);
    });
    this.thead.appendChild(h('tr', {}, ...cells));
  }

  private exportCsv(): void {
    const columns = this.spec.columns.map((c) => ({ label: c.label, value: c.text }));
    download(`${this.spec.exportName}.csv`, 'text/csv', toCsv(this.shown, columns));
  }

  private exportJson(): void {
    const json = this.spec.json ?? ((r: T) => r);
    download(`${this.spec.exportName}.json`, 'application/json', `${JSON.stringify(this.shown.map(json), null, 2)}\n`);
  }
}

function compareText(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

function compareValues(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareText(String(a), String(b));
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
