import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { Command } from 'commander';
import type { Resource } from '@medplum/fhirtypes';
import { ConfigError } from '../config/load-config.js';
import { defaultProfileDir } from '../identity/identity-deps.js';
import { detectFileKindOfPath } from '../ingest/files/file-kind.js';
import { readHl7Messages } from '../ingest/files/hl7-file-reader.js';
import { createValidator, loadMappings } from '../normalize/index.js';
import { convertRawMessage, toOutcome } from '../normalize/convert-raw.js';
import { addSettings, configFrom } from './options.js';

/**
 * `sinew convert FILE…`: the FHIR R4 Bundle each HL7v2 message becomes, with the mappings, zones and
 * checks `serve` uses, storing nothing and opening no database. One message prints pretty JSON;
 * several print one JSON per line (NDJSON), in file order. A message that cannot be converted prints
 * an OperationOutcome in its place (issues located as `PID-3`, `OBX[2]-5`) and the exit code is 1.
 */
export function convertCommand(): Command {
  return addSettings(new Command('convert'), ['tz', 'facilityTz'])
    .description('print the FHIR R4 Bundle each HL7v2 message becomes (pretty JSON for one, NDJSON for several; an OperationOutcome where one cannot be converted); stores nothing')
    .argument('<files...>', 'HL7v2 files (single, concatenated, FHS/BHS batches; CR, LF or CRLF)')
    .action(async (files: string[], opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      for (const file of files) {
        if (!fs.existsSync(file)) throw new ConfigError(`no such file: ${file}`);
        const kind = await detectFileKindOfPath(file);
        if (kind !== 'hl7v2') throw new ConfigError(`${file}: ${kind} files cannot be converted; convert reads HL7v2`);
      }
      // The same mappings folder createCore loads, so convert shows what serve would store.
      const mappings = loadMappings(path.join(path.dirname(defaultProfileDir()), '..', 'mappings', 'hl7v2'));
      const validator = createValidator();
      const ctx = { defaultZone: config.tz, zoneFor: (facility: string) => config.facilityTz[facility], mappings };
      const out = new OrderedPrinter();
      let failed = false;
      for (const file of files) {
        for await (const item of readHl7Messages(fs.createReadStream(file, { highWaterMark: 1 << 16 }))) {
          if (item.kind === 'warning') {
            process.stderr.write(`${file}:${item.line}: ${item.reason}\n`);
            continue;
          }
          if (item.kind === 'skipped') {
            failed = true;
            await out.print(toOutcome([{ severity: 'error', code: '100', location: `${file} byte ${item.offset}`, text: `${item.bytes} bytes not converted: ${item.reason}` }]));
            continue;
          }
          const result = convertRawMessage(item.bytes, ctx, validator);
          if (result.kind === 'outcome') {
            failed = true;
            await out.print(result.outcome);
          } else {
            for (const w of result.warnings) process.stderr.write(`${file}:${item.line}: ${w.severity} ${w.location}: ${w.text}\n`);
            await out.print(result.bundle);
          }
        }
      }
      await out.finish();
      if (failed) process.exitCode = 1;
    });
}

/** Holds back the first result until a second one shows whether the output is one JSON document or NDJSON. */
class OrderedPrinter {
  #first: Resource | undefined;
  #count = 0;

  async print(resource: Resource): Promise<void> {
    this.#count++;
    if (this.#count === 1) {
      this.#first = resource;
      return;
    }
    if (this.#first) {
      await write(`${JSON.stringify(this.#first)}\n`);
      this.#first = undefined;
    }
    await write(`${JSON.stringify(resource)}\n`);
  }

  async finish(): Promise<void> {
    if (this.#count === 1 && this.#first) await write(`${JSON.stringify(this.#first, null, 2)}\n`);
  }
}

async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}
