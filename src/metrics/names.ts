/**
 * Family names for the products built on the exporter (alerts/, dashboards/): `metric('listener_processes')`
 * is "lsof_listener_processes" only while a family of that name is declared (in a signal module or
 * exporter-families.ts); a renamed or removed family is a type error there, not an empty panel.
 * Label names come from the same declarations (`label.user` is "user").
 */
import { NAMESPACE } from '../signals/family.js';
import type { SignalFamilyName } from '../signals/index.js';
import { L } from '../signals/labels.js';
import type { ExporterFamilyName } from './exporter-families.js';

export type FamilyName = SignalFamilyName | ExporterFamilyName;

export function metric<N extends FamilyName>(name: N): `${typeof NAMESPACE}_${N}` {
  return `${NAMESPACE}_${name}`;
}

/** Label names by their declaration key (L in src/signals/labels.ts). */
export const label = Object.fromEntries(Object.entries(L).map(([k, v]) => [k, v.name])) as { readonly [K in keyof typeof L]: (typeof L)[K]['name'] };
