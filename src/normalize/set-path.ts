/**
 * Writes `value` at a mapping path into a resource under construction: `a.b` sets, `a[]` appends,
 * an intermediate `a[].b` writes into the last element of `a` (creating one), `value[x]` merges a
 * `{ valueQuantity: … }` object the transform returned.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part.endsWith('[]')) {
      const key = part.slice(0, -2);
      const arr = (node[key] ??= []) as Record<string, unknown>[];
      if (arr.length === 0) arr.push({});
      node = arr[arr.length - 1]!;
    } else {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
  }
  const last = parts[parts.length - 1]!;
  if (last.endsWith('[x]')) {
    const prefix = last.slice(0, -3);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!k.startsWith(prefix)) throw new Error(`transform returned '${k}' for '${path}'`);
      node[k] = v;
    }
  } else if (last.endsWith('[]')) {
    ((node[last.slice(0, -2)] ??= []) as unknown[]).push(value);
  } else {
    node[last] = value;
  }
}
