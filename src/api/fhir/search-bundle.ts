import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { SearchResult } from '../../fhir/resource-search.js';
import type { VersionEntry } from '../../fhir/resource.repository.js';

/**
 * A `searchset` Bundle (https://hl7.org/fhir/R4/bundle.html#searchset): matches, then includes,
 * then an OperationOutcome for parameters ignored under lenient handling; `self` and `next` links.
 */
export function searchsetBundle(base: string, selfUrl: string, result: SearchResult): Bundle {
  const link: BundleLink[] = [{ relation: 'self', url: selfUrl }];
  if (result.next) link.push({ relation: 'next', url: withCursor(selfUrl, result.next) });
  const entry: BundleEntry[] = [
    ...result.resources.map((r) => entryOf(base, r, 'match')),
    ...result.included.map((r) => entryOf(base, r, 'include')),
  ];
  if (result.warnings.length) entry.push({ resource: { resourceType: 'OperationOutcome', issue: result.warnings }, search: { mode: 'outcome' } });
  return { resourceType: 'Bundle', type: 'searchset', ...(result.total !== undefined ? { total: result.total } : {}), link, entry };
}

export function entryOf(base: string, r: Resource, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r, search: { mode } };
}

/** The same query with `_cursor` set and `_offset` dropped. */
function withCursor(selfUrl: string, cursor: string): string {
  const url = new URL(selfUrl);
  url.searchParams.delete('_offset');
  url.searchParams.set('_cursor', cursor);
  return url.href;
}

/** An instance `_history` Bundle, newest first (https://hl7.org/fhir/R4/http.html#history). */
export function historyBundle(base: string, type: string, id: string, versions: VersionEntry[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: versions.length,
    link: [{ relation: 'self', url: `${base}/${type}/${id}/_history` }],
    entry: versions.map((v) => ({
      fullUrl: `${base}/${type}/${id}`,
      ...(v.resource ? { resource: v.resource } : {}),
      request: { method: v.deleted ? 'DELETE' : v.versionId === '1' ? 'POST' : 'PUT', url: v.versionId === '1' ? type : `${type}/${id}` },
      response: { status: v.deleted ? '204' : v.versionId === '1' ? '201' : '200', etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated.toISOString() },
    })),
  };
}
