/** The pure path and name predicates of the suspicious-processes rules, on odd inputs. */
import { describe, expect, it } from 'vitest';
import { ancestorDirs, isHiddenPath, isKernelThreadName, isMemfdPath, isPlainName, isSystemPath } from '../../src/scan/path-rules.js';

describe('isHiddenPath', () => {
  it.each([
    ['a dot-directory of a web root', '/home/user/public_html/w-agora/.m/bash', true],
    ['a dot-file itself', '/tmp/.x', true],
    ['a hidden component with a trailing slash', '/srv/.cache/', true],
    ['a name with a newline after the dot', '/srv/.\nx/prog', true],
    ['a name with an escaped invalid byte after the dot', '/srv/.\\xff/prog', true],
    ['"..." is a name, not the parent', '/srv/.../prog', true],
    ['the root "/"', '/', false],
    ['"/." names the root', '/.', false],
    ['".." names the parent', '/srv/../bin/prog', false],
    ['"." in the middle', '/srv/./prog', false],
    ['a doubled slash', '//usr//bin/', false],
    ['a dot inside a name', '/usr/lib/python3.11/x.py', false],
    ['a newline before the dot is not a leading dot', '/srv/\n.x/prog', false],
    ['an escaped byte before the dot', '/srv/\\x2e/prog', false],
    ['unreadable (empty)', '', false],
  ])('%s', (_name, path, hidden) => {
    expect(isHiddenPath(path)).toBe(hidden);
  });
});

describe('isSystemPath', () => {
  it.each([
    ['/usr/bin/bash', true],
    ['/usr/local/bin/node', true],
    ['/opt/google/chrome/chrome', true],
    ['/snap/firefox/1/usr/lib/firefox/firefox', true],
    ['/app/bin/spotify', true],
    ['/nix/store/abc-bash-5.2/bin/bash', true],
    ['//usr//bin/ls', true],
    ['/usrx/bin/bash', false],
    ['/home/user/.m/bash', false],
    ['/tmp/bash', false],
    ['/usr', false],
  ])('%s -> %s', (path, system) => {
    expect(isSystemPath(path)).toBe(system);
  });
});

describe('ancestorDirs', () => {
  it('lists the directories above a file, outermost first', () => {
    expect(ancestorDirs('/home/u/.m/bash')).toEqual(['/', '/home', '/home/u', '/home/u/.m']);
  });
  it('ignores doubled and trailing slashes', () => {
    expect(ancestorDirs('//tmp//x/')).toEqual(['/', '/tmp']);
  });
  it('has only the root for a file in it', () => {
    expect(ancestorDirs('/init')).toEqual(['/']);
  });
});

describe('isKernelThreadName', () => {
  it.each([
    ['kworker/0:1', true],
    ['kworker/u8:2-events_unbound', true],
    ['[kthreadd]', true],
    ['[x]', true],
    ['ksoftirqd/3', true],
    ['irq/9-acpi', true],
    ['kthreadd', true],
    ['kswapd0', true],
    ['rcu_preempt', true],
    ['bash', false],
    ['kworker', true],
    ['kworkers', false],
    ['MainThread', false],
    ['Web Content', false],
    ['(sd-pam)', false],
    ['[', false],
    ['gvfsd-trash', false],
  ])('%s -> %s', (comm, kernelish) => {
    expect(isKernelThreadName(comm)).toBe(kernelish);
  });
});

describe('isMemfdPath and isPlainName', () => {
  it('knows the kernel name of a memfd', () => {
    expect(isMemfdPath('/memfd:payload')).toBe(true);
    expect(isMemfdPath('/memfd:')).toBe(true);
    expect(isMemfdPath('/tmp/memfd:x')).toBe(false);
  });
  it('looks up only names that are one directory entry', () => {
    expect(isPlainName('bash')).toBe(true);
    for (const bad of ['', '.', '..', 'a/b', 'a\\xff', 'a\0b']) expect(isPlainName(bad)).toBe(false);
  });
});
