#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm run build`, which `npm ci`/`npm install` run via `prepare`).
import { main } from '../dist/src/index.js';

main(process.argv).catch((err) => {
  process.stderr.write(`sinew: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
