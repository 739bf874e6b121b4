/**
 * The exporter's metric names the listener rules read, in one place: when src/signals exports its
 * families' names these constants become imports of them, and no rule spells a name itself.
 */
export const LISTENERS = 'lsof_listener_processes';
export const BUILD_INFO = 'lsof_exporter_build_info';
