import { OperationOutcomeError, badRequest } from '../../fhir/outcomes.js';

/** A parsed location such as `OBX[2]-5[1].3.1`; every index 1-based, as in HL7 ERR-2 / ERL. */
export interface Hl7Path {
  segment?: string;
  segmentRepetition: number;
  field: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
}

const PATH = /^(?:([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?[-.])?(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?$/;

/** Parses `PID-3`, `PID-3.1`, `PID-3[2].4.1`, `OBX[2]-5`, `PID.3.1` (HAPI style) or `3.1` within a segment. */
export function parseHl7Path(path: string): Hl7Path {
  const m = PATH.exec(path);
  if (!m) throw new OperationOutcomeError(badRequest(`'${path}' is not an HL7 location like PID-3[2].4.1`));
  const n = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  return {
    ...(m[1] ? { segment: m[1] } : {}),
    segmentRepetition: n(m[2]) ?? 1,
    field: Number(m[3]),
    ...(m[4] ? { repetition: Number(m[4]) } : {}),
    ...(m[5] ? { component: n(m[5]) } : {}),
    ...(m[6] ? { subcomponent: n(m[6]) } : {}),
  };
}
