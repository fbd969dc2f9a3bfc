import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

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
    });
  }
}
