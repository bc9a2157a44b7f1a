/**
 * Minimal RFC 4180 reader: quoted fields with doubled quotes; an unquoted empty field is null,
 * which the historical_50k CSV uses for SQL NULL. `trim` handles FEBRL's space after each comma.
 */
export function parseCsv(text: string, opts: { trim?: boolean } = {}): Record<string, string | null>[] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  const endField = () => {
    const v = opts.trim ? field.trim() : field;
    row.push(wasQuoted ? v : v === '' ? null : v);
    field = '';
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) {
    endField();
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => r.length > 1 || r[0] !== null);
  const names = (header ?? []).map((h) => (h ?? '').trim());
  return body.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? null])));
}
