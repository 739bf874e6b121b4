/** Minimal reader of the Prometheus text exposition, for assertions (not a full parser). */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseExposition(text: string): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    out.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value: Number(m[3]) });
  }
  return out;
}

function parseLabels(block: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of block.matchAll(re)) {
    labels[m[1]!] = m[2]!.replace(/\\(n|\\|")/g, (_s, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

export function samplesOf(text: string, name: string): ParsedSample[] {
  return parseExposition(text).filter((s) => s.name === name);
}

/** Family names declared by # TYPE lines. */
export function familyNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
}
