import express, { Router } from 'express';
import type { Intake } from '../ingest/intake.js';
import { httpError } from './outcome-middleware.js';

export const HL7V2_MEDIA_TYPE = 'x-application/hl7-v2+er7';

/**
 * Content types read as raw HL7 bytes. Any type is accepted: interface engines send HL7 over HTTP
 * with every label imaginable (and none), and the bytes decide what the message is, exactly as
 * over MLLP; charset is taken from MSH-18, never from the Content-Type.
 */
const ANY_TYPE = () => true;

export interface Hl7v2RouterOptions {
  intake: Intake;
  /** Largest body accepted; larger ones get 413 and nothing is stored. */
  maxBytes: number;
}

/**
 * `POST /hl7v2`: one HL7v2 message (or an FHS/BHS batch) as the body; 200 with the ACK MLLP would
 * send. The ACK is the answer even for rejected messages (`MSA|AR`), as interface engines expect.
 */
export function hl7v2Router(opts: Hl7v2RouterOptions): Router {
  const router = Router();
  router.post('/', express.raw({ type: ANY_TYPE, limit: opts.maxBytes }), async (req, res) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (bytes.length === 0) throw httpError('invalid', 'empty body: send one HL7v2 message as the request body');
    const reply = await opts.intake.receive({ bytes, transport: 'http', peer: peerOf(req.socket), receivedAt: new Date() });
    // latin1 keeps every byte of the ACK as built, like the MLLP listener writes it.
    res.status(200).type(HL7V2_MEDIA_TYPE).send(reply.ackBytes);
  });
  return router;
}

function peerOf(socket: { remoteAddress?: string; remotePort?: number }): string | undefined {
  return socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort ?? ''}` : undefined;
}
