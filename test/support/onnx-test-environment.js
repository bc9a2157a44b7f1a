// Jest runs each test file in its own V8 context, so the typed arrays that onnxruntime-node's native
// binding returns (created in Node's main context) fail onnxruntime-common's `instanceof
// Float32Array` check inside the test context ("A float32 tensor's data must be type of function
// Float32Array()"). Test files that run ONNX Runtime select this environment with a docblock
// (`@jest-environment ./test/support/onnx-test-environment.js`); it shares the main context's typed
// array constructors. Outside jest there is one context and nothing to fix.
import { TestEnvironment } from 'jest-environment-node';

const SHARED = ['Float32Array', 'Float64Array', 'Int32Array', 'BigInt64Array', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'BigUint64Array'];

export default class OnnxTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}
