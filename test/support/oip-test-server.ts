import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DETERIORATION_COLUMNS, referenceLogit, sigmoid } from './deterioration-model.js';

/**
 * A real Open Inference Protocol (KServe v2) server on loopback for tests: the model
 * `deterioration` computes the illustrative logistic model row by row; other model names misbehave
 * the way real servers do. Every request is recorded.
 */
export interface OipTestServer {
  url: string;
  requests: { method: string; path: string; body: unknown }[];
  close(): Promise<void>;
}

type Handler = (res: http.ServerResponse, body: unknown, path: string) => void;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function infer(res: http.ServerResponse, body: unknown): void {
  const input = (body as { inputs?: { name: string; shape: number[]; datatype: string; data: number[] }[] }).inputs?.[0];
  const width = DETERIORATION_COLUMNS.length;
  if (!input || input.name !== 'features' || input.shape[1] !== width || input.data.length !== (input.shape[0] ?? 0) * width) {
    return json(res, 400, { error: `expected input "features" of shape [N, ${width}]` });
  }
  const rows = Array.from({ length: input.shape[0] as number }, (_, i) => input.data.slice(i * width, (i + 1) * width));
  json(res, 200, { model_name: 'deterioration', outputs: [{ name: 'probability', shape: [rows.length, 1], datatype: 'FP32', data: rows.map((r) => sigmoid(referenceLogit(r))) }] });
}

const MODELS: Record<string, Handler> = {
  deterioration: (res, body) => infer(res, body),
  slow: () => undefined, // never answers
  garbage: (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>'),
  broken: (res) => json(res, 500, { error: 'CUDA out of memory' }),
  'wrong-output': (res) => json(res, 200, { outputs: [{ name: 'logits', shape: [1, 2], datatype: 'FP32', data: [0.1, 0.9] }] }),
  'short-output': (res) => json(res, 200, { outputs: [{ name: 'probability', shape: [1, 1], datatype: 'FP32', data: [0.5] }] }),
  'nan-output': (res) => json(res, 200, { outputs: [{ name: 'probability', shape: [3, 1], datatype: 'FP32', data: [0.5, 'NaN', 0.2] }] }),
};

export async function startOipTestServer(): Promise<OipTestServer> {
  const requests: OipTestServer['requests'] = [];
  let flakyCalls = 0;
  const models: Record<string, Handler> = {
    ...MODELS,
    // 503 on every other call, like a server still loading the model.
    flaky: (res, body) => (flakyCalls++ % 2 === 0 ? json(res, 503, { error: 'model loading' }) : infer(res, body)),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return json(res, 400, { error: 'body is not JSON' });
      }
      const path = req.url ?? '';
      requests.push({ method: req.method ?? '', path, body });
      if (req.method === 'GET' && path === '/v2/health/ready') return json(res, 200, {});
      const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/.exec(path);
      const handler = m && req.method === 'POST' ? models[decodeURIComponent(m[1] as string)] : undefined;
      if (!handler) return json(res, 404, { error: `no model at ${path}` });
      handler(res, body, path);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
