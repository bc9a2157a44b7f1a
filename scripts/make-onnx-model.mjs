#!/usr/bin/env node
// Writes profiles/models/deterioration-logreg.onnx: a logistic regression over the feature columns
// that profiles/models/onnx-deterioration.json declares, encoded as ONNX protobuf by hand (no Python
// or onnx package is available here). Graph: probability = Sigmoid((features − center) · W + b).
//
// Provenance of the numbers below: HAND-SET ILLUSTRATIVE WEIGHTS, chosen only so that abnormal
// vitals and labs raise the probability in a plausible direction. Not fitted to any data, not
// validated, not a clinical model. The tests in src/backends/onnx/ pin these exact numbers.
//
// Field numbers from onnx/onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto,
// ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto); opset 13, ir_version 8.
//
// Usage: node scripts/make-onnx-model.mjs [--check]   (--check: fail if the committed file differs)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = path.join(ROOT, 'profiles/models/onnx-deterioration.json');

/** Per input column: the value the weight is centred on and the weight (log-odds per unit). */
const WEIGHTS = {
  'respiratory-rate': { center: 16, weight: 0.12 },
  'heart-rate': { center: 80, weight: 0.03 },
  'systolic-bp': { center: 120, weight: -0.02 },
  temperature: { center: 37, weight: 0.3 },
  spo2: { center: 96, weight: -0.15 },
  creatinine: { center: 1, weight: 0.6 },
  'creatinine:missing': { center: 0, weight: 0.1 },
  lactate: { center: 1.5, weight: 0.5 },
  'lactate:missing': { center: 0, weight: 0.2 },
};
const INTERCEPT = -3;

// --- protobuf wire format -------------------------------------------------------------------
function varint(n) {
  let v = BigInt(n);
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => Buffer.concat([key(field, 0), varint(n)]);
const bytes = (field, buf) => Buffer.concat([key(field, 2), varint(buf.length), buf]);
const str = (field, s) => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field, parts) => bytes(field, Buffer.concat(parts));

function floats(values) {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}
const FLOAT = 1;
// TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little-endian).
const tensor = (name, dims, values) => [...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, floats(values))];
// ValueInfoProto{name=1, type=2}; TypeProto{tensor_type=1}; Tensor{elem_type=1, shape=2}; Dimension{dim_value=1, dim_param=2}.
const dim = (d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]);
const valueInfo = (field, name, dims) => msg(field, [str(1, name), msg(2, [msg(1, [int(1, FLOAT), msg(2, dims.map(dim))])])]);
// NodeProto: input=1, output=2, name=3, op_type=4.
const node = (op, inputs, outputs) => msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, `${op.toLowerCase()}_0`), str(4, op)]);

// --- the model -------------------------------------------------------------------------------
/** Input columns in the order the feature extraction builds them (an indicator follows its feature). */
function columns(config) {
  return config.options.features.flatMap((f) => (f.missing.policy === 'indicator' ? [f.name, `${f.name}:missing`] : [f.name]));
}

export function buildModel(config) {
  const cols = columns(config);
  const unknown = cols.filter((c) => !(c in WEIGHTS));
  if (unknown.length) throw new Error(`no weight for column(s) ${unknown.join(', ')}`);
  const n = cols.length;
  const { input, output } = config.options;
  const graph = [
    node('Sub', [input.name, 'center'], ['centered']),
    node('MatMul', ['centered', 'W'], ['z']),
    node('Add', ['z', 'b'], ['logit']),
    node('Sigmoid', ['logit'], [output.name]),
    str(2, 'deterioration_logreg'),
    msg(5, tensor('center', [n], cols.map((c) => WEIGHTS[c].center))),
    msg(5, tensor('W', [n, 1], cols.map((c) => WEIGHTS[c].weight))),
    msg(5, tensor('b', [1], [INTERCEPT])),
    str(10, 'ILLUSTRATIVE hand-set logistic regression; not a clinical model'),
    valueInfo(11, input.name, ['N', n]),
    valueInfo(12, output.name, ['N', 1]),
  ];
  // ModelProto: ir_version=1, producer_name=2, producer_version=3, model_version=5, doc_string=6,
  // graph=7, opset_import=8 {domain=1, version=2}, metadata_props=14 {key=1, value=2}.
  return Buffer.concat([
    int(1, 8),
    str(2, 'sinew/scripts/make-onnx-model.mjs'),
    str(3, '1'),
    int(5, 1),
    str(6, 'Hand-set illustrative weights for demonstration and tests; not fitted to data; do not use for care.'),
    msg(7, graph),
    msg(8, [str(1, ''), int(2, 13)]),
    msg(14, [str(1, 'columns'), str(2, cols.join(','))]),
  ]);
}

const config = JSON.parse(readFileSync(CONFIG, 'utf8'));
const out = path.join(path.dirname(CONFIG), config.options.model);
const model = buildModel(config);
if (process.argv.includes('--check')) {
  const same = Buffer.compare(readFileSync(out), model) === 0;
  console.log(same ? `${out} is up to date` : `${out} differs from what this script builds`);
  process.exit(same ? 0 : 1);
}
writeFileSync(out, model);
console.log(`wrote ${out} (${model.length} bytes, ${columns(config).length} input columns)`);
