/**
 * HTTP basic auth against the bcrypt hashes of the web config file (`basic_auth_users`).
 *
 * bcrypt is slow by design (tens of ms at cost 10), too slow to pay on every scrape, so a successful
 * verification is remembered under a SHA-256 of (user, password, hash): a changed password or hash
 * misses the cache. Failures are never cached. The user name is compared in constant time over all
 * users, and an unknown user still costs one bcrypt run, so timing does not tell which names exist.
 */
import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Request, Response, NextFunction } from 'express';

const REALM = 'lsof-exporter';
const MAX_CACHED = 256;
/** bcrypt runs in flight at once; beyond, 503: a flood of wrong passwords must not eat the CPU. Cached users skip it. */
const MAX_PENDING_VERIFICATIONS = 4;
/** Compared against when the user is unknown, so the answer takes as long as for a known user. */
const DUMMY_HASH = '$2b$10$' + 'C'.repeat(53);

export type UsersSource = () => ReadonlyMap<string, string>;

export function createBasicAuth(users: UsersSource) {
  const verified = new Set<string>();
  let pending = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    const current = users();
    if (current.size === 0) return next();
    const creds = parseAuthorization(req.headers.authorization);
    if (!creds) return deny(res);
    const hash = findUser(current, creds.user);
    const key = sha256(`${creds.user}\0${creds.password}\0${hash ?? ''}`);
    if (hash && verified.has(key)) return next();
    if (pending >= MAX_PENDING_VERIFICATIONS) {
      res.status(503).set('Retry-After', '1').type('text/plain').send('too many authentication attempts\n');
      return;
    }
    pending++;
    bcrypt
      .compare(creds.password, normalizeHash(hash ?? DUMMY_HASH))
      .then((ok) => {
        if (!ok || !hash) return deny(res);
        if (verified.size >= MAX_CACHED) verified.clear();
        verified.add(key);
        next();
      })
      .catch(() => deny(res))
      .finally(() => pending--);
  };
}

function deny(res: Response): void {
  res.status(401).set('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`).type('text/plain').send('unauthorized\n');
}

export function parseAuthorization(header: string | undefined): { user: string; password: string } | null {
  const m = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Looks at every user, comparing fixed-length digests, so the time taken does not depend on the match. */
function findUser(users: ReadonlyMap<string, string>, user: string): string | undefined {
  const wanted = crypto.createHash('sha256').update(user).digest();
  let found: string | undefined;
  for (const [name, hash] of users) {
    const candidate = crypto.createHash('sha256').update(name).digest();
    if (crypto.timingSafeEqual(wanted, candidate)) found = hash;
  }
  return found;
}

/** htpasswd writes $2y$, the same algorithm as $2b$, which is what bcryptjs knows. */
function normalizeHash(hash: string): string {
  return hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
}

function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}
