import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { guardPoolClientErrors } from './pool-client-errors';

export interface DatabaseModuleOptions {
  /** Apply pending migrations before the app serves (the API does; workers do not). */
  runMigrations: boolean;
}

@Module({})
export class DatabaseModule {
  static forRoot({ runMigrations }: DatabaseModuleOptions) {
    return TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), migrationsRun: runMigrations }),
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('DatabaseModule: no DataSource options');
        const dataSource = await new DataSource(options).initialize();
        guardPoolClientErrors(dataSource);
        return dataSource;
      },
    });
  }
}
