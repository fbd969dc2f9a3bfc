export * from './provider.interface';
export * from './provider.errors';
