/** Container identity of a process, from its cgroup file (parser in procfs/cgroup.ts). */
export { parseCgroupContainer as readContainerInfo, NO_CONTAINER } from '../procfs/cgroup.js';
