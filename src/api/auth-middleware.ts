import type { RequestHandler, Response } from 'express';
import { isAdmin, type ScopeHolder } from '../auth/scopes.js';
import type { KeyPair } from '../auth/signing-key.js';
import { TokenError, verifyToken, type Claims } from '../auth/tokens.js';
import { issue, sendOutcome } from './outcome-middleware.js';

export interface AuthOptions {
  key: KeyPair;
  /** `--auth off`: every request passes and carries no claims. */
  enabled: boolean;
}

/** Verified claims of the request, or undefined when auth is off. */
export function claimsOf(res: Response): Claims | undefined {
  return res.locals.claims as Claims | undefined;
}

/**
 * Bearer-token check (RFC 6750): a missing or bad token is 401 with `WWW-Authenticate: Bearer`
 * and an OperationOutcome saying why; the verified claims go to `res.locals.claims`.
 */
export function authenticate(opts: AuthOptions): RequestHandler {
  return async (req, res, next) => {
    if (!opts.enabled) return next();
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      res.set('WWW-Authenticate', 'Bearer realm="sinew"');
      return sendOutcome(res, 401, { resourceType: 'OperationOutcome', issue: [issue('login', 'missing bearer token: send Authorization: Bearer <token>')] });
    }
    try {
      res.locals.claims = await verifyToken(opts.key, m[1] as string);
    } catch (err) {
      if (!(err instanceof TokenError)) return next(err);
      res.set('WWW-Authenticate', `Bearer realm="sinew", error="invalid_token", error_description="${err.message}"`);
      const code = err.kind === 'expired' ? 'expired' : 'login';
      return sendOutcome(res, 401, { resourceType: 'OperationOutcome', issue: [issue(code, err.message)] });
    }
    next();
  };
}

/** 403 unless the verified token passes `allowed`; `need` names the missing scope for the caller. */
export function requireScope(opts: Pick<AuthOptions, 'enabled'>, allowed: (claims: ScopeHolder) => boolean, need: string): RequestHandler {
  return (_req, res, next) => {
    if (!opts.enabled) return next();
    const claims = claimsOf(res);
    if (claims && allowed(claims)) return next();
    res.set('WWW-Authenticate', `Bearer realm="sinew", error="insufficient_scope", scope="${need}"`);
    sendOutcome(res, 403, { resourceType: 'OperationOutcome', issue: [issue('forbidden', `token lacks the scope this route needs: ${need}`)] });
  };
}

export function requireAdmin(opts: Pick<AuthOptions, 'enabled'>, adminScope: string): RequestHandler {
  return requireScope(opts, isAdmin, adminScope);
}
