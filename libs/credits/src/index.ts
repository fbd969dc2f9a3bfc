export * from './credit.types';
export * from './credits.exceptions';
export * from './credits.module';
export * from './credits.service';
