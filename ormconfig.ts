import { DataSource } from 'typeorm';
import { dataSourceOptions, loadConfig } from './libs/core/src';

/** The DataSource the typeorm CLI uses: the same options as the app's. */
export default new DataSource(dataSourceOptions(loadConfig()));
