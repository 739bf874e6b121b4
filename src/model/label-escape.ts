/**
 * Label values are what /proc says, and an attacker names its process: a raw carriage return in a
 * label value makes clients that split lines on CR (Python's splitlines, requests' iter_lines) fail
 * the whole scrape, and escape sequences reach the terminal of whoever runs `curl /metrics`. C0
 * controls and DEL are written as the four characters `\xNN`, as bytes that are not UTF-8 already are
 * (proc-text.ts), so every label value is printable text.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1f\x7f]/g;

export function escapeControls(value: string): string {
  return value.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The labels with every value escaped; the same object when nothing needed escaping. */
export function escapeLabelValues(labels: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(labels)) {
    CONTROLS.lastIndex = 0;
    if (!CONTROLS.test(v)) continue;
    out ??= { ...labels };
    out[k] = escapeControls(v);
  }
  return out ?? labels;
}
