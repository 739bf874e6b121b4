/**
 * HTTP basic auth against the bcrypt hashes of the web config file (`basic_auth_users`).
 *
 * bcrypt is slow by design, so, as exporter-toolkit does, each answer is remembered under a SHA-256 of
 * (user, password, hash): successes and failures alike, so neither a scraper nor a client repeating a
 * wrong password pays bcrypt again, and a changed password or hash misses the cache. The two are kept
 * apart, so a flood of distinct wrong passwords cannot push a scraper's success out. Comparisons run in
 * a worker thread (BcryptPool), one at a time in arrival order: a correct password waits its turn and is
 * never refused for load. The queue stays bounded: each connection has at most one check in it (more
 * pipelined requests wait on the connection, and a client pipelining many is cut off). User names are compared in constant time over all users, and an unknown user
 * costs one bcrypt run at the cost of the configured hashes, so timing does not tell which names exist.
 */
import crypto from 'node:crypto';
import type { Socket } from 'node:net';
import type { Request, Response, NextFunction } from 'express';
import type { BcryptPool } from './bcrypt-pool.js';
import { bcryptCost } from './web-config.js';

const REALM = 'lsof-exporter';
const MAX_CACHED_SUCCESSES = 256;
const MAX_CACHED_FAILURES = 4096;
/** Requests pipelined on one connection that may wait for bcrypt; a client sending more is cut off (no scraper pipelines). */
const MAX_PIPELINED_CHECKS = 4;

export type UsersSource = () => ReadonlyMap<string, string>;

export interface BasicAuthOptions {
  users: UsersSource;
  pool: BcryptPool;
  /** Told of every bcrypt run, for lsof_exporter_http_bcrypt_checks_total. */
  onCheck?: (result: 'match' | 'mismatch') => void;
  /** Paths answered without credentials (/healthz: probes cannot send any). */
  openPaths?: ReadonlySet<string>;
}

export function createBasicAuth(opts: BasicAuthOptions) {
  const succeeded = new BoundedSet(MAX_CACHED_SUCCESSES);
  const failed = new BoundedSet(MAX_CACHED_FAILURES);
  const inFlight = new Map<string, Promise<boolean | null>>();
  const turns = new WeakMap<Socket, { tail: Promise<void>; waiting: number }>();
  const check = (key: string, password: string, hash: string, abandoned: () => boolean) => {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = opts.pool
        .compare(password, hash, abandoned)
        .then((match) => {
          if (match !== null) opts.onCheck?.(match ? 'match' : 'mismatch');
          return match;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    const current = opts.users();
    if (current.size === 0 || opts.openPaths?.has(req.path)) return next();
    const creds = parseAuthorization(req.headers.authorization);
    if (!creds) return deny(res);
    const hash = findUser(current, creds.user);
    const key = sha256(`${creds.user}\0${creds.password}\0${hash ?? ''}`);
    if (hash && succeeded.has(key)) return next();
    if (failed.has(key)) return deny(res);
    const gone = () => req.socket.destroyed;
    const attempt = (): Promise<void> =>
      check(key, creds.password, normalizeHash(hash ?? dummyHash(current)), gone).then((match) => {
        // null: the client whose check this was left before its turn; one sharing it still waits
        if (match === null) return gone() ? undefined : attempt();
        if (match && hash) {
          succeeded.add(key);
          return next();
        }
        failed.add(key);
        deny(res);
      });
    // One check at a time per connection: requests pipelined on one connection wait for each other, so
    // the bcrypt queue never holds more than one check per connection (and connections are capped).
    const turn = turns.get(req.socket) ?? { tail: Promise.resolve(), waiting: 0 };
    if (turn.waiting >= MAX_PIPELINED_CHECKS) return void req.socket.destroy();
    turn.waiting++;
    turns.set(req.socket, turn);
    const done = turn.tail.then(attempt).catch(() => {
      if (!res.headersSent) res.status(500).type('text/plain').send('internal error\n');
    });
    turn.tail = done.finally(() => turn.waiting--);
  };
}

/** Insertion-ordered set that forgets its oldest member when full. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(k: string): boolean {
    return this.items.has(k);
  }
  add(k: string): void {
    if (this.items.size >= this.max) this.items.delete(this.items.values().next().value!);
    this.items.add(k);
  }
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

/** Compared against for an unknown user: a valid hash at the highest configured cost, matching nothing sent. */
function dummyHash(users: ReadonlyMap<string, string>): string {
  const cost = Math.max(...[...users.values()].map(bcryptCost));
  return `$2b$${String(cost).padStart(2, '0')}$${'C'.repeat(53)}`;
}

/** htpasswd writes $2y$, the same algorithm as $2b$, which is what bcryptjs knows. */
function normalizeHash(hash: string): string {
  return hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
}

function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}
