import { z } from 'zod';

/** `name`, `period.start`, `identifier[]`, `location[].location`, `value[x]` (see set-path.ts). */
export const FHIR_PATH = /^(?:[a-z][A-Za-z0-9]*(?:\[\])?\.)*(?:[a-z][A-Za-z0-9]*(?:\[\]|\[x\])?)$/;
/** `PID-5`: whole fields only; components are the transform's business. */
export const FIELD_PATH = /^[A-Z][A-Z0-9]{2}-\d+$/;
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const fieldMapSchema = z
  .object({
    field: z.string().regex(FIELD_PATH, 'must look like PID-5'),
    to: z.string().regex(FHIR_PATH, 'must be a FHIR element path like name, period.start, identifier[] or value[x]'),
    datatype: z.string().regex(/^[A-Z]{2,3}$/).optional(),
    transform: z.string().regex(NAME).optional(),
    vocabulary: z.string().regex(/^[A-Za-z0-9]+$/).optional(),
    repeats: z.boolean().optional(),
    required: z.boolean().optional(),
    /** Used (with a warning) when the field is empty or its value cannot be mapped, e.g. status `unknown`. */
    default: z.unknown().optional(),
    comment: z.string().optional(),
  })
  .strict()
  .refine((f) => f.datatype || f.transform || f.vocabulary, { message: 'needs a datatype, transform or vocabulary' });
export type FieldMap = z.infer<typeof fieldMapSchema>;

export const segmentMapSchema = z
  .object({
    /** File key when one segment has several maps (`OBX-Document`); defaults to the segment name. */
    name: z.string().regex(/^[A-Z][A-Z0-9]{2}(?:-[A-Za-z]+)?$/).optional(),
    segment: z.string().regex(/^[A-Z][A-Z0-9]{2}$/),
    resource: z.string().regex(/^[A-Z][A-Za-z]+$/),
    source: z.string().optional(),
    /** Constants, e.g. `{ "status": "current" }`. */
    assign: z.record(z.string().regex(FHIR_PATH), z.unknown()).optional(),
    fields: z.array(fieldMapSchema),
  })
  .strict();
export type SegmentMap = z.infer<typeof segmentMapSchema>;

export const datatypeMapSchema = z
  .object({ datatype: z.string().regex(/^[A-Z]{2,3}$/), fhirType: z.string(), transform: z.string().regex(NAME), source: z.string().optional() })
  .strict();
export type DatatypeMap = z.infer<typeof datatypeMapSchema>;

export const codingSchema = z.object({ code: z.string().min(1), system: z.string().min(1), display: z.string().optional() }).strict();
export const vocabularySchema = z
  .object({ name: z.string(), v2Table: z.string(), source: z.string(), codes: z.record(z.string(), codingSchema) })
  .strict();
export type Vocabulary = z.infer<typeof vocabularySchema>;

export const messageResourceSchema = z
  .object({
    segment: z.string().regex(/^[A-Z][A-Z0-9]{2}$/),
    /** The segment map file to apply (segments/<map>.json). */
    map: z.string().regex(/^[A-Z][A-Z0-9]{2}(?:-[A-Za-z]+)?$/),
    /** Named id rule (resource-ids.ts). */
    id: z.string().regex(NAME),
    required: z.boolean().optional(),
    /**
     * A context resource (the PID/PV1 snapshot inside an ORU or MDM): tagged so the store creates it
     * when missing but never lets it overwrite what ADT said (a late result must not reopen a
     * discharged Encounter).
     */
    context: z.boolean().optional(),
    /** FHIR path → segment whose resource (nearest earlier occurrence, else the first) is referenced. */
    references: z.record(z.string().regex(FHIR_PATH), z.string().regex(/^[A-Z][A-Z0-9]{2}$/)).optional(),
    /** FHIR path → segment whose resources inside this segment's group (until the next same segment) are listed. */
    children: z.record(z.string().regex(FHIR_PATH), z.string().regex(/^[A-Z][A-Z0-9]{2}$/)).optional(),
  })
  .strict();
export type MessageResource = z.infer<typeof messageResourceSchema>;

export const messageMapSchema = z
  .object({
    structure: z.string().regex(/^[A-Z]{3}_[A-Z0-9]{3}$/),
    source: z.string().optional(),
    resources: z.array(messageResourceSchema).min(1),
    /** Named message steps (steps/index.ts) run in order after the segment maps. */
    steps: z.array(z.string().regex(NAME)).default([]),
  })
  .strict();
export type MessageMap = z.infer<typeof messageMapSchema>;
