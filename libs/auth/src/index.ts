export * from './api-keys/api-key-scope';
export * from './auth-user';
export * from './auth.module';
export * from './authenticator';
export * from './decorators';
export * from './token';
