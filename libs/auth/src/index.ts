export * from './auth-user';
export * from './auth.module';
export * from './decorators';
export * from './jwt-auth.guard';
export * from './token';
