/** "a uuid, b text, …": the column definition list of jsonb_to_recordset. */
export function recordsetColumns(columns: Readonly<Record<string, string>>): string {
  return Object.entries(columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ');
}

/** "a = c.a, b = c.b, …" for UPDATE … FROM jsonb_to_recordset(…) AS c. */
export function assignments(columns: Readonly<Record<string, string>>, except: readonly string[] = ['id']): string {
  return Object.keys(columns)
    .filter((name) => !except.includes(name))
    .map((name) => `${name} = c.${name}`)
    .join(', ');
}

/** The id column and the named ones, with their types: the columns a partial update sends. */
export function idAnd<C extends Readonly<Record<string, string>> & { id: string }>(columns: C, names: readonly (keyof C & string)[]): Record<string, string> {
  return Object.fromEntries([['id', columns.id], ...names.map((name) => [name, columns[name]])]);
}
