/**
 * The exporter's metric names the rules read, imported from the declarations in src/ (see
 * src/metrics/names.ts): a family renamed there breaks this build instead of emptying an alert.
 */
import { metric } from '../../src/metrics/names.js';

export { label, metric } from '../../src/metrics/names.js';

export const LISTENERS = metric('listener_processes');
export const BUILD_INFO = metric('exporter_build_info');
