/**
 * Just enough of the ONNX protobuf (onnx/onnx.proto: ModelProto, GraphProto, ValueInfoProto,
 * TypeProto, TensorShapeProto) to check a model file against its config synchronously, at registry
 * load: ONNX Runtime only opens sessions asynchronously, and a corrupt or mismatched file must stop
 * the server at start, not fail the first patient's assessment.
 */

type Field = { no: number; wire: 0; value: bigint } | { no: number; wire: 2; value: Buffer } | { no: number; wire: 1 | 5; value: Buffer };

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let v = 0n;
  for (let shift = 0n, i = at; i < buf.length && shift < 70n; i++, shift += 7n) {
    const b = buf[i] as number;
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [v, i + 1];
  }
  throw new Error(`truncated or overlong varint at byte ${at}`);
}

/** The fields of one message; throws on anything that is not well-formed protobuf. */
function readFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new Error(`field number 0 at byte ${at}`);
    at = next;
    if (wire === 0) {
      const [value, end] = readVarint(buf, at);
      out.push({ no, wire, value });
      at = end;
    } else if (wire === 2) {
      const [len, start] = readVarint(buf, at);
      const end = start + Number(len);
      if (end > buf.length) throw new Error(`field ${no} at byte ${at} runs past the end (${len} bytes)`);
      out.push({ no, wire, value: buf.subarray(start, end) });
      at = end;
    } else if (wire === 1 || wire === 5) {
      const end = at + (wire === 1 ? 8 : 4);
      if (end > buf.length) throw new Error(`field ${no} at byte ${at} runs past the end`);
      out.push({ no, wire, value: buf.subarray(at, end) });
      at = end;
    } else throw new Error(`unsupported wire type ${wire} at byte ${at}`);
  }
  return out;
}

const bytesOf = (fs: Field[], no: number): Buffer[] => fs.filter((f): f is Field & { wire: 2 } => f.no === no && f.wire === 2).map((f) => f.value);
const intOf = (fs: Field[], no: number): number | undefined => {
  const f = fs.find((x) => x.no === no && x.wire === 0);
  return f ? Number(f.value) : undefined;
};
const strOf = (fs: Field[], no: number): string | undefined => bytesOf(fs, no)[0]?.toString('utf8');

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType: 1 = FLOAT, 11 = DOUBLE … */
  elemType?: number;
  /** A number per fixed dimension, a string per symbolic one (`N`), undefined when unknown. */
  dims?: (number | string | undefined)[];
}

export interface OnnxModelInfo {
  irVersion?: number;
  opsets: { domain: string; version: number }[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: number;
}

function valueInfo(buf: Buffer): OnnxValueInfo {
  const f = readFields(buf);
  const tensor = bytesOf(f, 2).flatMap((t) => bytesOf(readFields(t), 1))[0];
  const tf = tensor ? readFields(tensor) : [];
  const shape = bytesOf(tf, 2)[0];
  const elemType = intOf(tf, 1);
  return {
    name: strOf(f, 1) ?? '',
    ...(elemType !== undefined ? { elemType } : {}),
    ...(shape
      ? {
          dims: bytesOf(readFields(shape), 1).map((d) => {
            const df = readFields(d);
            return intOf(df, 1) ?? strOf(df, 2);
          }),
        }
      : {}),
  };
}

/** Decode a model file's header and graph signature; throws a plain message for a corrupt file. */
export function readOnnxModelInfo(bytes: Buffer): OnnxModelInfo {
  if (bytes.length === 0) throw new Error('the file is empty');
  const model = readFields(bytes);
  const graph = bytesOf(model, 7)[0];
  if (!graph) throw new Error('not an ONNX model: no graph (ModelProto field 7)');
  const g = readFields(graph);
  const initializers = new Set(bytesOf(g, 5).map((t) => strOf(readFields(t), 8)));
  const irVersion = intOf(model, 1);
  return {
    ...(irVersion !== undefined ? { irVersion } : {}),
    opsets: bytesOf(model, 8).map((o) => {
      const of = readFields(o);
      return { domain: strOf(of, 1) ?? '', version: intOf(of, 2) ?? 0 };
    }),
    // Before IR 4 initializers were also listed as inputs; they are not fed by the caller.
    inputs: bytesOf(g, 11).map(valueInfo).filter((v) => !initializers.has(v.name)),
    outputs: bytesOf(g, 12).map(valueInfo),
    nodes: bytesOf(g, 1).length,
  };
}

const FLOAT = 1;

/** Every mismatch between the file's signature and the config, as messages. */
export function signatureProblems(info: OnnxModelInfo, input: string, output: string, columns: number): string[] {
  const problems: string[] = [];
  if (info.irVersion === undefined || info.irVersion < 3) problems.push(`ir_version ${info.irVersion ?? '(none)'} is not a supported ONNX IR version`);
  if (info.nodes === 0) problems.push('the graph has no nodes');
  const inp = info.inputs.find((i) => i.name === input);
  if (!inp) problems.push(`no graph input "${input}" (inputs: ${info.inputs.map((i) => i.name).join(', ') || 'none'})`);
  else {
    if (inp.elemType !== undefined && inp.elemType !== FLOAT) problems.push(`input "${input}" has element type ${inp.elemType}; only float32 (1) is supported`);
    if (inp.dims && inp.dims.length !== 2) problems.push(`input "${input}" has rank ${inp.dims.length}; expected [batch, features]`);
    const width = inp.dims?.[1];
    if (typeof width === 'number' && width !== columns) problems.push(`input "${input}" takes ${width} columns but the config declares ${columns} (features plus indicators)`);
  }
  if (!info.outputs.some((o) => o.name === output)) problems.push(`no graph output "${output}" (outputs: ${info.outputs.map((o) => o.name).join(', ') || 'none'})`);
  return problems;
}
