/**
 * Template variables: the Prometheus data source is chosen by the viewer (`datasource`), and every
 * query filters by `job` and `instance`, listed from lsof_exporter_build_info (one series per exporter).
 */
import { metric } from '../../src/metrics/names.js';
import {
  CustomVariableBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/dashboard';

/** Every panel, query and variable reads from the data source the viewer picked. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

/** A multi-value variable listed from label values, "All" by default. */
export function labelVariable(name: string, label: string, query: string, allValue = '.+'): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .query(query)
    .datasource(DATASOURCE)
    .current({ selected: true, text: 'All', value: '$__all' })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(allValue);
}

export function hostVariables(): QueryVariableBuilder[] {
  return [
    labelVariable('job', 'Job', `label_values(${metric('exporter_build_info')}, job)`),
    labelVariable('instance', 'Instance', `label_values(${metric('exporter_build_info')}{job=~"$job"}, instance)`),
  ];
}

/** A fixed list of choices, the first one selected. */
export function choiceVariable(name: string, label: string, description: string, choices: readonly string[]): CustomVariableBuilder {
  const first = choices[0] ?? '';
  return new CustomVariableBuilder(name)
    .label(label)
    .description(description)
    .values(choices.join(','))
    .current({ selected: true, text: first, value: first })
    .options(choices.map((c) => ({ selected: c === first, text: c, value: c })));
}
