import { z } from 'zod';
import { isServedType } from '../../fhir/search-parameters.js';

/** FHIR `instant`/`dateTime` with at least a day, as `_lastUpdated` takes it. */
const SINCE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** What a pull is asked to do, from the command line or from `POST /admin/fhir-pull`. */
export const pullRequestSchema = z.object({
  from: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of a FHIR base' }).transform((u) => u.replace(/\/+$/, '')),
  since: z
    .string()
    .regex(SINCE, 'must be a FHIR date or dateTime, e.g. 2026-01-01 or 2026-01-01T00:00:00Z')
    .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date')
    .optional(),
  types: z.array(z.string().refine(isServedType, { error: (iss) => `${String(iss.input)} is not a resource type Sinew stores` })).optional(),
  token: z.string().min(1).optional(),
  pageSize: z.number().int().min(1).max(1000).optional(),
});
export type PullRequest = z.infer<typeof pullRequestSchema>;
