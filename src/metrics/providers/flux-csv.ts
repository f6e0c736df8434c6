// A reader for InfluxDB's annotated CSV, the answer to a Flux query made with the datatype, group and default
// annotations: tables separated by annotation rows (#datatype, #group, #default), then a row of column names, then
// data rows; every row starts with an empty annotation column. A table whose first column is "error" reports a
// query that failed after the HTTP status was sent.

/** One data row: the cells by column name (an empty cell takes the column's default) and the column types. */
export interface FluxRecord {
  cells: Readonly<Record<string, string>>;
  types: Readonly<Record<string, string>>;
}

interface Table {
  types: string[];
  defaults: string[];
  names?: string[];
}

/** The data rows of every table, in order. Throws on a malformed answer and on an error table. */
export function* fluxRecords(text: string): Generator<FluxRecord> {
  let table: Table | undefined;
  let inAnnotations = false;
  for (const row of csvRows(text)) {
    if (row.length <= 1) continue;
    const [marker = '', ...cells] = row;
    if (marker.startsWith('#')) {
      if (!inAnnotations || table === undefined) table = { types: [], defaults: [] };
      inAnnotations = true;
      if (marker === '#datatype') table.types = cells;
      if (marker === '#default') table.defaults = cells;
      continue;
    }
    if (table === undefined) throw new Error('influxdb parsing error, annotations not found');
    if (inAnnotations) {
      inAnnotations = false;
      if (table.types.length === 0) throw new Error('influxdb parsing error, datatype annotation not found');
      table.names = cells;
      continue;
    }
    const names = table.names ?? [];
    if (cells.length !== names.length) {
      throw new Error(
        `influxdb parsing error, row has different number of columns than the table: ${cells.length} vs ${names.length}`,
      );
    }
    if (names[0] === 'error') throw new Error(queryError(cells));
    yield record(table, names, cells);
  }
}

function record(table: Table, names: readonly string[], cells: readonly string[]): FluxRecord {
  const values: Record<string, string> = {};
  const types: Record<string, string> = {};
  names.forEach((name, i) => {
    const cell = cells[i] ?? '';
    values[name] = cell === '' ? (table.defaults[i] ?? '') : cell;
    types[name] = table.types[i] ?? '';
  });
  return { cells: values, types };
}

function queryError(cells: readonly string[]): string {
  const [message = '', reference = ''] = cells;
  return `influxdb query error: ${message === '' ? 'unknown query error' : message}${reference === '' ? '' : `,${reference}`}`;
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF ends a row. */
export function* csvRows(text: string): Generator<string[]> {
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (quoted && char === '"' && text.charAt(i + 1) === '"') {
      cell += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (quoted) {
      cell += char;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      yield [...row, cell.endsWith('\r') ? cell.slice(0, -1) : cell];
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) yield [...row, cell];
}
