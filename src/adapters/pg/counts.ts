/** Counts keyed by name, as jsonb_object_agg gives them, with every name present (0 when absent). */
export function countsOf<Name extends string>(names: readonly Name[], json: unknown): Record<Name, number> {
  const found = (json ?? {}) as Record<string, number | string>;
  return Object.fromEntries(names.map((name) => [name, Number(found[name] ?? 0)])) as Record<Name, number>;
}
