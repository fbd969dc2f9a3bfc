export * from './provider.interface';
export * from './provider.errors';
export * from './providers.module';
export * from './providers.service';
